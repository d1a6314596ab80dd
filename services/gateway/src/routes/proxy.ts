/** One origin for browsers: /api/auth/* and /api/rooms/* are forwarded to the services' REST APIs. */
import fastifyHttpProxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config.js';

export async function proxyRoutes(app: FastifyInstance, { config }: { config: GatewayConfig }) {
  const forwarded = (prefix: string, upstream: string) =>
    app.register(fastifyHttpProxy, {
      upstream,
      prefix,
      rewritePrefix: prefix,
      // The services rate-limit by client address, so they must see the real one.
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => ({
          ...headers,
          'x-forwarded-for': request.ip,
        }),
      },
    });
  await forwarded('/api/auth', config.AUTH_URL);
  await forwarded('/api/rooms', config.ROOMS_URL);
}
