/** One origin for browsers: /api/auth/* and /api/rooms/* are forwarded to the services' REST APIs. */
import fastifyHttpProxy from '@fastify/http-proxy';
import { ChatError, ErrorCode, RequestIdHeaders } from '@chat/protocol';
import { safeParse as parseContentType } from 'fast-content-type-parse';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config.js';

/** The services refuse bodies above this; refusing here too spares them the upload and the client a reset. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * reply-from parses the Content-Type of a body it forwards with this same parser and throws on a malformed one
 * (`text/plain;application/json`), which would answer 500: the client's mistake is told as such instead. An
 * empty one is left to Fastify, which refuses a body of no type with 415.
 */
function isMalformedContentType(header: string | undefined): boolean {
  return header !== undefined && header !== '' && parseContentType(header).type === '';
}

export async function proxyRoutes(app: FastifyInstance, { config }: { config: GatewayConfig }) {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
      throw new ChatError(ErrorCode.PAYLOAD_TOO_LARGE, `request bodies are limited to ${MAX_BODY_BYTES} bytes`);
    }
    if (isMalformedContentType(request.headers['content-type'])) {
      throw new ChatError(ErrorCode.BAD_REQUEST, 'malformed Content-Type: expected type/subtype; name=value…');
    }
  });
  const forwarded = (prefix: string, upstream: string) =>
    app.register(fastifyHttpProxy, {
      upstream,
      prefix,
      rewritePrefix: prefix,
      // reply-from would log two more lines per forwarded request, at info; the request's one line (at debug,
      // ServiceLogController in service-kit) says enough. Its warnings about failed answers stay.
      disableRequestLogging: true,
      // The services limit logins by client address, so they must see the real one. request.ip is it, as this
      // gateway's TRUST_PROXY allows: the address that connected, or what a trusted proxy in front says. The
      // incoming X-Forwarded-For is replaced by that one address, not appended to, so a client cannot put
      // words in it and the services need to trust only the gateway, not every proxy the gateway trusts.
      replyOptions: {
        // The request id is this gateway's own, never the client's (request-id.ts in service-kit): auth and rooms
        // take it as theirs, which is safe only because whatever x-request-id the client sent is replaced here.
        rewriteRequestHeaders: (request, headers) => ({
          ...headers,
          'x-forwarded-for': request.ip,
          [RequestIdHeaders.http]: request.id,
        }),
        // A service not listening yet, restarting or cut off mid-answer is unavailable, not a bug: reply-from's
        // own errors (a 500 for a refused connection) would reach the error handler as INTERNAL. reply-from has
        // logged the cause already.
        onError: (reply) => {
          const service = prefix.replace('/api/', '');
          reply.send(new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service is not answering; try again`));
        },
        // reply-from retries a GET answered 503 up to ten times, 1 ms apart: that would hide an honest /readyz
        // and hammer a service that just said it cannot serve. The 503 (with Retry-After) goes to the client.
        retryDelay: () => null,
      },
    });
  await forwarded('/api/auth', config.AUTH_URL);
  await forwarded('/api/rooms', config.ROOMS_URL);
}
