/**
 * Request ids: how the gateway makes them, how auth and rooms take the gateway's, and how every service tells a
 * caller the id of its request (the `x-request-id` response header; error bodies carry it too, errors.ts).
 *
 * A plain id, not a W3C `traceparent`: nothing here records spans, so a trace id, a parent span id and flags
 * (55 characters, a new span id per hop) would only make every log line longer. What an operator needs is one
 * short token to grep for in every service's log. Should tracing come, the trace id can become this id.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isRequestId, RequestIdHeaders } from '@chat/protocol';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/**
 * 48 random bits per process, so ids from any number of gateways (and restarts) do not collide, and a counter,
 * so that making one costs a string concatenation: a request id is made for every frame, sends included, and a
 * random draw per frame would be a system call (or a buffer refill) on the hot path.
 */
const processPrefix = randomBytes(6).readUIntBE(0, 6).toString(36);
let counter = 0;

/** A new request id, unique across processes: `<process prefix>-<counter>`, both base 36. */
export function newRequestId(): string {
  return `${processPrefix}-${(counter++).toString(36)}`;
}

/**
 * Fastify's request-id settings. The gateway, which faces the internet, makes its own for every HTTP request and
 * never takes one from a client (a client's id could be anything: a forged line in the log, another user's id).
 * Auth and rooms take the id the gateway forwarded (`fromGateway`): safe only because the gateway replaces
 * whatever `x-request-id` the client sent before it forwards a call (routes/proxy.ts), and because nothing but
 * the gateway reaches them over HTTP. Even so a forwarded id is used only when it has the shape of one.
 */
export function requestIdOptions(fromGateway: boolean): Pick<FastifyServerOptions, 'requestIdHeader' | 'genReqId'> {
  return {
    requestIdHeader: false,
    genReqId: fromGateway
      ? (req: IncomingMessage) => {
          const forwarded = req.headers[RequestIdHeaders.http];
          return isRequestId(forwarded) ? forwarded : newRequestId();
        }
      : () => newRequestId(),
  };
}

/** Every answer names its request, so whoever got it (a person, a program) can report the id. */
export function exposeRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(RequestIdHeaders.http, request.id);
    done();
  });
}
