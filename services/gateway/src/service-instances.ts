/**
 * The REST instances of one service behind the gateway: AUTH_URL and ROOMS_URL name one or several, and
 * /api/auth/* and /api/rooms/* are spread over them. Over NATS a service's instances share a queue group, so a
 * dead one is simply not asked; over HTTP the gateway has to step around it itself, or every request that
 * would have gone there fails while its twin is idle.
 */
import { BalancedPool } from 'undici';

/** `http://a:3002, http://b:3002` → both, in order, without blanks. */
export function instanceUrls(list: string): string[] {
  return list
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
}

/** Connections to one instance at most, as reply-from's own agent allowed: a flood of REST queues here. */
const CONNECTIONS_PER_INSTANCE = 128;

/**
 * One pool over all of a service's instances: undici's BalancedPool sends each request to the next instance
 * by weight and lowers the weight of one whose connections fail, so a dead instance soon gets almost none.
 * Only the origin of each URL is used, as the proxy keeps the request's own path.
 */
export function instancePool(urls: string[]): BalancedPool {
  return new BalancedPool(
    urls.map((url) => new URL(url).origin),
    { connections: CONNECTIONS_PER_INSTANCE },
  );
}

/**
 * Errors that mean the request never reached an instance: nothing was done, so it is safe to try the next one,
 * whatever the method. A connection cut after the request went out is another matter: a POST may have been
 * carried out, and trying again could do it twice.
 */
const NOT_REACHED = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** Errors of a connection that failed under a request: safe to try again only for a method that changes nothing. */
const CUT_OFF = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a failed forward goes to another instance (after 1 ms: reply-from takes 0 for "no"), given how many
 * tries it has had. An answer, even a 503, is never retried: it is the service's word, and hiding it would
 * hide an honest /readyz. Each instance gets about one try; the pool's weights make a dead one unlikely twice.
 */
export function retryElsewhere(
  failure: { err?: unknown; method: string; attempt: number },
  instances: number,
): number | null {
  if (instances < 2 || failure.attempt >= instances) return null;
  const code = (failure.err as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string') return null;
  if (NOT_REACHED.has(code) || (CUT_OFF.has(code) && SAFE_METHODS.has(failure.method))) return 1;
  return null;
}
