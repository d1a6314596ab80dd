/** User administration, for administrators only (checked against the database on every request). */
import { AdminUserView, CreateUserBody, UpdateUserBody } from '@chat/protocol';
import type { NatsConnection } from '@chat/nats';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { announceUserChanged } from '../users/events.js';
import { toAdminView, type UserStore } from '../users/store.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export async function userRoutes(app: FastifyInstance, opts: { users: UserStore; nc: NatsConnection }) {
  const { users, nc } = opts;
  const announce = (id: string) => announceUserChanged(nc, id);
  app.addHook('preHandler', app.requireAdmin);

  app.get('/api/auth/users', { schema: { response: { 200: Type.Array(AdminUserView) } } }, async () =>
    (await users.list()).map(toAdminView),
  );

  app.post(
    '/api/auth/users',
    { schema: { body: CreateUserBody, response: { 201: AdminUserView } } },
    async (request, reply) => {
      const row = await users.create(request.body as CreateUserBody);
      return reply.code(201).send(toAdminView(row));
    },
  );

  app.patch(
    '/api/auth/users/:id',
    { schema: { params: IdParams, body: UpdateUserBody, response: { 200: AdminUserView } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const row = await users.update(id, request.body as UpdateUserBody);
      await announce(id);
      return toAdminView(row);
    },
  );

  app.delete('/api/auth/users/:id', { schema: { params: IdParams } }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await users.delete(id);
    await announce(id);
    return reply.code(204).send();
  });
}
