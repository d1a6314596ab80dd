/** The browser client (web/dist), served on the same origin as /ws and /api. */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export async function webRoutes(app: FastifyInstance, { root }: { root: string }) {
  await app.register(fastifyStatic, { root, prefix: '/', index: 'index.html', wildcard: false });
}
