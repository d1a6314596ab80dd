/** The auth service: users, passwords, tokens. buildApp is what tests and the entry point both start. */
import fastifyRateLimit from '@fastify/rate-limit';
import {
  authenticate,
  buildService,
  databaseCheck,
  exposeRequestIds,
  healthRoutes,
  installErrorHandler,
  natsCheck,
  openApiDocument,
  readiness,
  registerDatabase,
  registerMetrics,
  registerNats,
  registerNatsService,
  serviceFastifyOptions,
} from '@chat/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AuthConfig } from './config.js';
import { migrations } from './db/migrations/index.js';
import { AUTH_SCHEMA, type AuthDatabase } from './db/schema.js';
import { authMetrics } from './metrics.js';
import { authService } from './nats/endpoints.js';
import { sessionRoutes } from './routes/session.js';
import { userRoutes } from './routes/users.js';
import { toCurrentUser, UserStore } from './users/store.js';

export async function buildApp(config: AuthConfig): Promise<FastifyInstance> {
  const app = Fastify(
    serviceFastifyOptions('auth', config.LOG_LEVEL, config.TRUST_PROXY, { requestIdsFromGateway: true }),
  );
  installErrorHandler(app);
  exposeRequestIds(app);

  return buildService(app, async () => {
    const metrics = await registerMetrics(app, 'auth', config);
    authMetrics(app, metrics.registry);
    const database = await registerDatabase<AuthDatabase>(app, config, { schema: AUTH_SCHEMA, migrations });
    const users = new UserStore(database.db);
    const nc = await registerNats(app, 'auth', config);
    metrics.observeNatsRequests(nc);
    const ready = readiness('auth', { nats: natsCheck(nc), database: databaseCheck(database.db) }, { log: app.log });
    await registerNatsService(app, nc, authService(users, ready));

    await app.register(openApiDocument, {
      title: 'MultiChat auth',
      description: 'Users, passwords and session tokens. Through the gateway: /api/openapi.json.',
      tags: [
        { name: 'session', description: 'Logging in and out, and who is signed in' },
        { name: 'users', description: 'User administration, for administrators' },
      ],
    });
    await app.register(fastifyRateLimit, { global: false });
    await app.register(authenticate, {
      publicKey: config.publicKey,
      privateKey: config.privateKey,
      tokenTtl: config.TOKEN_TTL,
      loadUser: async (id) => {
        const row = await users.findById(id);
        return row ? toCurrentUser(row) : null;
      },
    });
    await app.register(sessionRoutes, { users, config, nc });
    await app.register(userRoutes, { users, nc });
    // Readiness also under /api/auth/, which the gateway forwards; /api/auth/health is the older name of it.
    await app.register(healthRoutes, {
      service: 'auth',
      ready,
      readyAliases: ['/api/auth/readyz', '/api/auth/health'],
    });
  });
}
