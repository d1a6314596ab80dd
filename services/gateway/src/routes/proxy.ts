/** One origin for browsers: /api/auth/* and /api/rooms/* are forwarded to the services' REST APIs. */
import fastifyHttpProxy from '@fastify/http-proxy';
import { ChatError, ErrorCode, RequestIdHeaders } from '@chat/protocol';
import { safeParse as parseContentType } from 'fast-content-type-parse';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.js';
import { instancePool, retryElsewhere } from '../service-instances.js';

/** The services refuse bodies above this; refusing here too spares them the upload and the client a reset. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * A malformed Content-Type (`text/plain;application/json`) is told as the client's mistake here, at the edge,
 * rather than left to each service behind. An empty one is left to Fastify, which refuses a body of no type
 * with 415.
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
  const forwarded = (prefix: string, urls: string[]) =>
    app.register(async (scope) => {
      const pool = instancePool(urls);
      scope.addHook('onClose', async () => pool.close());
      // Bodies are read whole (they are small, see above) rather than streamed through, so that a request an
      // instance never received can go to the next one: a stream, once handed to a dead connection, is gone.
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_request, body, done) =>
        done(null, body),
      );
      await scope.register(fastifyHttpProxy, {
        // Where requests go is the pool's choice; this URL only anchors the path checks of the proxy.
        upstream: urls[0] as string,
        undici: pool,
        prefix,
        rewritePrefix: prefix,
        proxyPayloads: false,
        // reply-from would log two more lines per forwarded request, at info; the request's one line (at debug,
        // ServiceLogController in service-kit) says enough. Its warnings about failed answers stay.
        disableRequestLogging: true,
        handler: (request, reply, dest, options) => reply.from(dest, { ...options, ...bufferedBody(request) }),
        replyOptions: {
          // The services limit logins by client address, so they must see the real one. request.ip is it, as
          // this gateway's TRUST_PROXY allows: the address that connected, or what a trusted proxy in front says.
          // The incoming X-Forwarded-For is replaced by that one address, not appended to, so a client cannot
          // put words in it and the services need to trust only the gateway, not every proxy it trusts.
          // The request id is this gateway's own, never the client's (request-id.ts in service-kit): auth and
          // rooms take it as theirs, which is safe only because whatever x-request-id the client sent is
          // replaced here. Host is left to undici, which names the instance the pool picked.
          rewriteRequestHeaders: (request, { host: _host, ...headers }) => ({
            ...headers,
            'x-forwarded-for': request.ip,
            [RequestIdHeaders.http]: request.id,
          }),
          // A service not listening yet, restarting or cut off mid-answer is unavailable, not a bug: reply-from's
          // own errors (a 500 for a refused connection) would reach the error handler as INTERNAL. reply-from
          // has logged the cause already.
          onError: (reply) => {
            const service = prefix.replace('/api/', '');
            reply.send(new ChatError(ErrorCode.UNAVAILABLE, `the ${service} service is not answering; try again`));
          },
          // Only a request that failed to reach an instance goes to another one (service-instances.ts); reply-
          // from's own rule would retry a GET answered 503 ten times, 1 ms apart, hiding an honest /readyz and
          // hammering a service that just said it cannot serve. The 503 (with Retry-After) goes to the client.
          retryDelay: ({ err, req, attempt }) => retryElsewhere({ err, method: req.method, attempt }, urls.length),
        },
      });
    });
  await forwarded('/api/auth', config.authUrls);
  await forwarded('/api/rooms', config.roomsUrls);
}

/**
 * The body to forward, as it came: reply-from would otherwise JSON-encode a Buffer. A body without a type is
 * passed on as application/octet-stream, which the services refuse (415) as they would have refused it bare.
 */
function bufferedBody(request: FastifyRequest): { body?: Buffer; contentType?: string } {
  if (!Buffer.isBuffer(request.body)) return {};
  return { body: request.body, contentType: request.headers['content-type'] || 'application/octet-stream' };
}
