/**
 * The auth service's own metrics (docs/operations.md, "Metrics"): logins by outcome and users changed by
 * kind, read from the answers as they go out. The status codes are the API's documented contract
 * (docs/protocol.md), so the routes stay free of counting, and one file says what counts as what.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, type Registry } from '@chat/service-kit';

/** A login's answer, by status: 401 is a wrong username or password, 403 a disabled account. */
const LOGIN_OUTCOMES: Readonly<Record<number, string>> = {
  200: 'ok',
  400: 'invalid',
  401: 'bad_credentials',
  403: 'disabled',
  429: 'rate_limited',
};

/** The administration's answers that change a user. */
const USER_CHANGES: Readonly<Record<string, { status: number; kind: string }>> = {
  'POST /api/auth/users': { status: 201, kind: 'created' },
  'PATCH /api/auth/users/:id': { status: 200, kind: 'updated' },
  'DELETE /api/auth/users/:id': { status: 204, kind: 'deleted' },
};

/** Counts logins and user changes on `app`: call before the routes are registered. */
export function authMetrics(app: FastifyInstance, registry: Registry): void {
  const logins = new Counter({
    name: 'chat_auth_logins_total',
    help: 'login attempts by outcome: ok, bad_credentials, disabled, rate_limited, invalid (malformed), error',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const userChanges = new Counter({
    name: 'chat_auth_user_changes_total',
    help: 'users created, updated or deleted through the administration API, by kind',
    labelNames: ['kind'],
    registers: [registry],
  });
  for (const outcome of [...Object.values(LOGIN_OUTCOMES), 'error']) logins.inc({ outcome }, 0);
  for (const { kind } of Object.values(USER_CHANGES)) userChanges.inc({ kind }, 0);

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === '/api/auth/login' && request.method === 'POST') {
      logins.inc({ outcome: LOGIN_OUTCOMES[reply.statusCode] ?? 'error' });
    } else if (route?.startsWith('/api/auth/users')) {
      const change = USER_CHANGES[`${request.method} ${route}`];
      if (change && reply.statusCode === change.status) userChanges.inc({ kind: change.kind });
    }
    done();
  });
}
