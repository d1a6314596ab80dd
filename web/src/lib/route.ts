/** Hash routes: #/chat (default) and #/admin. */
export type Route = 'chat' | 'admin';

export function parseRoute(hash: string): Route {
  return hash.replace(/^#\/?/, '').split(/[/?]/)[0] === 'admin' ? 'admin' : 'chat';
}

export function hrefOf(route: Route): string {
  return `#/${route}`;
}
