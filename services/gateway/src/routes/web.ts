/** The browser client (web/dist), served on the same origin as /ws and /api. */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Source maps hand out the client's source, comments included. The production build emits none
 * (web/vite.config.ts); a WEB_ROOT built otherwise still does not serve them.
 */
const isSourceMap = (path: string) => /\.map$/i.test(path);

export async function webRoutes(app: FastifyInstance, { root }: { root: string }) {
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: 'index.html',
    wildcard: false,
    allowedPath: (path) => !isSourceMap(path),
  });
}
