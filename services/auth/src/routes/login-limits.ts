/**
 * How often logins may be tried. Failures are counted per account (username) and per client address, each
 * against its own limit, so that an office behind one NAT address can all log in while guessing at one
 * account, or at many accounts from one address, is stopped. Successful logins per address have a generous
 * ceiling of their own, so that a credential-stuffing run that often guesses right is bounded too.
 */
import { ChatError, ErrorCode, type LoginBody } from '@chat/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const WINDOW_MS = 60_000;

export interface LoginLimitSettings {
  failuresPerAccount: number;
  failuresPerAddress: number;
  loginsPerAddress: number;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

interface Counter {
  name: string;
  limiter: Limiter;
  /** Told to whoever is refused by this counter. */
  refusal: string;
}

/**
 * Whether a login counts is known only after the password is checked, so @fastify/rate-limit's hooks, which
 * count a request as it arrives, cannot be used as they are. Each counter is one of its limiters
 * (createRateLimit, with its key generator and store): an attempt first reads them without counting
 * (`increment: false`) and is refused if any is full; once the outcome is known, only the counters of that
 * outcome are incremented. Attempts under way count as taken meanwhile: otherwise a burst of parallel
 * guesses would all read the counters before the first failure was written, and all be let through.
 */
export function loginLimits(app: FastifyInstance, settings: LoginLimitSettings) {
  const counter = (name: string, max: number, refusal: string, keyGenerator?: (request: FastifyRequest) => string) => ({
    name,
    refusal,
    // Without a key generator the key is the client address (request.ip, an IPv6 address by its /64).
    limiter: app.createRateLimit({ max, timeWindow: WINDOW_MS, ...(keyGenerator ? { keyGenerator } : {}) }),
  });
  const failuresPerAccount = counter(
    'account',
    settings.failuresPerAccount,
    'too many failed logins to this account; try again later',
    // Usernames are unique regardless of case, so guesses at VICTIM and victim are guesses at one account.
    (request) => (request.body as LoginBody).username.toLowerCase(),
  );
  const failuresPerAddress = counter(
    'address',
    settings.failuresPerAddress,
    'too many failed logins from this address; try again later',
  );
  const loginsPerAddress = counter(
    'logins',
    settings.loginsPerAddress,
    'too many logins from this address; try again later',
  );
  const all: Counter[] = [failuresPerAccount, failuresPerAddress, loginsPerAddress];

  // Attempts under way by counter and key: an entry lives only while one of its attempts does.
  const underWay = new Map<string, number>();
  const adjust = (key: string, by: number) => {
    const count = (underWay.get(key) ?? 0) + by;
    if (count > 0) underWay.set(key, count);
    else underWay.delete(key);
  };

  /**
   * Runs one login attempt under the limits: `verify` answers the user when the password is right, null when
   * the username or the password is wrong. Throws RATE_LIMITED (429, with Retry-After) without calling it
   * when any limit is reached.
   */
  return async function limitLogin<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    verify: () => Promise<T | null>,
  ): Promise<T | null> {
    const taken: string[] = [];
    for (const { name, limiter, refusal } of all) {
      const state = await limiter(request, { increment: false });
      if (state.isAllowed) continue;
      const key = `${name}:${state.key}`;
      if (state.max - state.remaining + (underWay.get(key) ?? 0) >= state.max) {
        reply.header('retry-after', String(Math.max(1, state.ttlInSeconds)));
        throw new ChatError(ErrorCode.RATE_LIMITED, refusal);
      }
      taken.push(key);
    }
    for (const key of taken) adjust(key, 1);
    try {
      const user = await verify();
      const outcome = user === null ? [failuresPerAccount, failuresPerAddress] : [loginsPerAddress];
      for (const { limiter } of outcome) await limiter(request);
      return user;
    } finally {
      for (const key of taken) adjust(key, -1);
    }
  };
}
