/** The hash route of the page, kept in step with the address bar. */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { hrefOf, parseRoute, type Route } from '../lib/route';

export class RouteController implements ReactiveController {
  route: Route = parseRoute(location.hash);

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    window.addEventListener('hashchange', this.onHashChange);
  }

  hostDisconnected(): void {
    window.removeEventListener('hashchange', this.onHashChange);
  }

  /** Changes the route without adding a history entry (used to send non-admins away from #/admin). */
  replace(route: Route): void {
    history.replaceState(null, '', hrefOf(route));
    this.onHashChange();
  }

  private readonly onHashChange = (): void => {
    this.route = parseRoute(location.hash);
    this.host.requestUpdate();
  };
}
