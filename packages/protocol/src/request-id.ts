/**
 * Request ids: the gateway makes one for every WebSocket request and HTTP call; auth and rooms take it as the id
 * of their part of the work, every log line about the request carries it (`reqId`), and a client told of an error
 * is told it too, so the id a user reports finds the request in every service's log (docs/operations.md,
 * "Following a request").
 */
import { Type } from '@sinclair/typebox';

const REQUEST_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const requestIdShape = new RegExp(REQUEST_ID_PATTERN);

/**
 * Letters, digits, `-` and `_`, at most 64: nothing that could break a log line, a header or a terminal. The
 * gateway's own ids are a per-process random prefix and a counter, in base 36 (`k3j9x0a2q-1f`).
 */
export const RequestId = Type.String({ pattern: REQUEST_ID_PATTERN });

/** Whether a value is shaped as a request id; anything else that claims to be one is ignored. */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && requestIdShape.test(value);
}

/** Where the id travels: a NATS header on requests to auth and rooms, an HTTP header both ways. */
export const RequestIdHeaders = {
  nats: 'Chat-Request-Id',
  http: 'x-request-id',
} as const;
