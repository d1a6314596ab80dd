/// <reference types="@fastify/jwt" preserve="true" />
/// <reference types="@fastify/cookie" preserve="true" />
/**
 * Token verification for every service: the signed token (bearer header or session cookie) says who is
 * calling; the caller's CURRENT flags come from `loadUser` (the auth database or the auth service), so a
 * demotion, a disabled account or a logout takes effect at once, not when the token expires.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import { ChatError, ErrorCode, SESSION_COOKIE, type TokenClaims, type UserFlags } from '@chat/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export const TOKEN_ALGORITHM = 'EdDSA';

export interface CurrentUser extends UserFlags {
  sessionVersion: number;
}

export interface AuthenticateOptions {
  publicKey: string;
  /** Only the auth service has it; with it, `app.jwt.sign` issues tokens. */
  privateKey?: string | undefined;
  tokenTtl?: string;
  loadUser(id: string): Promise<CurrentUser | null>;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims & { sv: number };
    user: TokenClaims & { sv: number };
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    currentUser: CurrentUser;
  }
  interface FastifyInstance {
    authenticate(request: FastifyRequest): Promise<void>;
    requireAdmin(request: FastifyRequest): Promise<void>;
    /** Verifies a token and returns the user it belongs to, as they are now. */
    userFromRequest(request: FastifyRequest): Promise<CurrentUser>;
  }
}

async function authenticatePlugin(app: FastifyInstance, options: AuthenticateOptions): Promise<void> {
  await app.register(fastifyCookie);
  await app.register(fastifyJwt, {
    secret: options.privateKey
      ? { private: options.privateKey, public: options.publicKey }
      : { public: options.publicKey },
    sign: { algorithm: TOKEN_ALGORITHM, expiresIn: options.tokenTtl ?? '12h' },
    // Pinned: a token naming any other algorithm (none, HS256 keyed with the public key, …) is refused.
    // Verified tokens are kept (by hash, until their expiry or 10 minutes): a reconnect storm presents the same
    // tokens again and again, and an Ed25519 verification costs far more than the lookup.
    verify: { algorithms: [TOKEN_ALGORITHM], cache: 10_000 },
    cookie: { cookieName: SESSION_COOKIE, signed: false },
  });

  app.decorateRequest('currentUser', null as unknown as CurrentUser);

  async function userFromRequest(request: FastifyRequest): Promise<CurrentUser> {
    let claims: TokenClaims & { sv: number };
    try {
      claims = await request.jwtVerify();
    } catch {
      throw new ChatError(ErrorCode.UNAUTHORIZED, 'a valid session token is required');
    }
    const user = await options.loadUser(claims.sub);
    if (!user || user.sessionVersion !== claims.sv) {
      throw new ChatError(ErrorCode.UNAUTHORIZED, 'the session has ended; log in again');
    }
    if (user.disabled) throw new ChatError(ErrorCode.USER_DISABLED, 'this account is disabled');
    return user;
  }

  app.decorate('userFromRequest', userFromRequest);
  app.decorate('authenticate', async (request: FastifyRequest) => {
    request.currentUser = await userFromRequest(request);
  });
  app.decorate('requireAdmin', async (request: FastifyRequest) => {
    request.currentUser = await userFromRequest(request);
    if (!request.currentUser.isAdmin) throw new ChatError(ErrorCode.FORBIDDEN, 'administrators only');
  });
}

export const authenticate = fp(authenticatePlugin, { name: 'chat-authenticate' });
