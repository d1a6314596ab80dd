/** Login, logout and "who am I": the session as a signed token, and for browsers the same token in a cookie. */
import { ChatError, ErrorCode, LoginBody, LoginResponse, PublicUser, SESSION_COOKIE } from '@chat/protocol';
import { bodyErrors, errorResponses, sessionErrors, sessionIfAny, signedIn } from '@chat/service-kit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AuthConfig } from '../config.js';
import { decoyPasswordHash, verifyPassword } from '../users/passwords.js';
import { loginLimits } from './login-limits.js';
import type { UserStore } from '../users/store.js';
import { announceUserChanged } from '../users/events.js';
import type { NatsConnection } from '@chat/nats';

const TTL_UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

function ttlSeconds(ttl: string): number {
  const unit = ttl.slice(-1) as keyof typeof TTL_UNIT_SECONDS;
  return Number.parseInt(ttl, 10) * TTL_UNIT_SECONDS[unit];
}

export const sessionRoutes: FastifyPluginAsyncTypebox<{
  users: UserStore;
  config: AuthConfig;
  nc: NatsConnection;
}> = async (app, opts) => {
  const { users, config, nc } = opts;
  const wrongCredentials = () => new ChatError(ErrorCode.UNAUTHORIZED, 'wrong username or password');
  const limitLogin = loginLimits(app, {
    failuresPerAccount: config.LOGIN_FAILURES_PER_ACCOUNT,
    failuresPerAddress: config.LOGIN_FAILURES_PER_ADDRESS,
    loginsPerAddress: config.LOGINS_PER_ADDRESS,
  });
  /** The user when the password is theirs; an unknown name takes as long to refuse as a wrong password. */
  const verifiedUser = async ({ username, password }: LoginBody) => {
    const row = await users.findByUsername(username);
    if (!row) {
      await verifyPassword(await decoyPasswordHash(), password);
      return null;
    }
    return (await verifyPassword(row.password_hash, password)) ? row : null;
  };

  app.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['session'],
        summary: 'Log in: a session token, and the session cookie for browsers',
        description:
          'Sets the `chat_session` cookie (httpOnly, SameSite=Strict) to the same token. Failed logins are limited ' +
          'per account and per client address, successful ones per address (docs/protocol.md, "Login limits").',
        operationId: 'login',
        body: LoginBody,
        response: {
          200: { ...LoginResponse, description: 'logged in' },
          ...errorResponses({
            ...bodyErrors,
            401: 'UNAUTHORIZED: an unknown username or a wrong password, alike',
            403: 'USER_DISABLED: the password is right but the account is disabled',
            429: 'RATE_LIMITED: too many logins; retry after Retry-After seconds (even the right password)',
          }),
        },
      },
    },
    async (request, reply) => {
      const row = await limitLogin(request, reply, () => verifiedUser(request.body));
      if (!row) throw wrongCredentials();
      if (row.disabled) throw new ChatError(ErrorCode.USER_DISABLED, 'this account is disabled');
      const user = { id: row.id, username: row.username, isStaff: row.is_staff, isAdmin: row.is_admin };
      const token = app.jwt.sign({
        sub: row.id,
        username: row.username,
        isStaff: row.is_staff,
        isAdmin: row.is_admin,
        sv: row.session_version,
      });
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        secure: config.COOKIE_SECURE,
        path: '/',
        maxAge: ttlSeconds(config.TOKEN_TTL),
      });
      return { token, user };
    },
  );

  // Logging out ends every session of the account (tokens carry a session version that is bumped here).
  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['session'],
        summary: "Log out: end every session of the caller's account and clear the cookie",
        description: 'Answers 204 with or without a valid session.',
        operationId: 'logout',
        security: sessionIfAny,
        response: { 204: Type.Null({ description: 'logged out; the cookie is cleared' }), ...errorResponses({}) },
      },
    },
    async (request, reply) => {
      try {
        const user = await app.userFromRequest(request);
        await users.endSessions(user.id);
        await announceUserChanged(nc, user.id);
      } catch {
        // No valid session: clearing the cookie is all there is to do.
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/auth/me',
    {
      schema: {
        tags: ['session'],
        summary: 'The signed-in user, with their flags as they are now',
        operationId: 'getCurrentUser',
        security: signedIn,
        response: { 200: { ...PublicUser, description: 'the caller' }, ...errorResponses(sessionErrors) },
      },
      preHandler: app.authenticate,
    },
    async (request) => request.currentUser,
  );
};
