/** User administration, for administrators only (checked against the database on every request). */
import { AdminUserView, CreateUserBody, UpdateUserBody } from '@chat/protocol';
import type { NatsConnection } from '@chat/nats';
import { adminErrors, bodyErrors, errorResponses, paramErrors, signedIn } from '@chat/service-kit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { announceUserChanged } from '../users/events.js';
import { toAdminView, type UserStore } from '../users/store.js';

const IdParams = Type.Object({ id: Type.String({ maxLength: 64, description: "the user's id (a UUID)" }) });
const noSuchUser = { 404: 'NOT_FOUND: no user with this id' } as const;

export const userRoutes: FastifyPluginAsyncTypebox<{ users: UserStore; nc: NatsConnection }> = async (app, opts) => {
  const { users, nc } = opts;
  const announce = (id: string) => announceUserChanged(nc, id);
  app.addHook('preHandler', app.requireAdmin);

  app.get(
    '/api/auth/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Every user, with their flags (administrators only)',
        operationId: 'listUsers',
        security: signedIn,
        response: {
          200: Type.Array(AdminUserView, { description: 'all users' }),
          ...errorResponses(adminErrors),
        },
      },
    },
    async () => (await users.list()).map(toAdminView),
  );

  app.post(
    '/api/auth/users',
    {
      schema: {
        tags: ['users'],
        summary: 'Create a user (administrators only)',
        operationId: 'createUser',
        security: signedIn,
        body: CreateUserBody,
        response: {
          201: { ...AdminUserView, description: 'created' },
          ...errorResponses({ ...bodyErrors, ...adminErrors, 409: 'CONFLICT: the username is taken, in any case' }),
        },
      },
    },
    async (request, reply) => {
      const row = await users.create(request.body);
      return reply.code(201).send(toAdminView(row));
    },
  );

  app.patch(
    '/api/auth/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: "Change a user's password or flags (administrators only)",
        description: "A new password, or disabling the account, ends the user's sessions and closes their sockets.",
        operationId: 'updateUser',
        security: signedIn,
        params: IdParams,
        body: UpdateUserBody,
        response: {
          200: { ...AdminUserView, description: 'the user as changed' },
          ...errorResponses({ ...bodyErrors, ...paramErrors, ...adminErrors, ...noSuchUser }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const row = await users.update(id, request.body);
      await announce(id);
      return toAdminView(row);
    },
  );

  app.delete(
    '/api/auth/users/:id',
    {
      schema: {
        tags: ['users'],
        summary: 'Delete a user (administrators only)',
        description: 'Their sessions end and their sockets are closed.',
        operationId: 'deleteUser',
        security: signedIn,
        params: IdParams,
        response: {
          204: Type.Null({ description: 'deleted' }),
          ...errorResponses({ ...paramErrors, ...adminErrors, ...noSuchUser }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await users.delete(id);
      await announce(id);
      return reply.code(204).send(null);
    },
  );
};
