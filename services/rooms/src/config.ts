import { type Static, Type } from '@sinclair/typebox';
import { MEMBERS_PAGE_MAX, PRESENCE_GATEWAY_TIMEOUT_MS } from '@chat/protocol';
import { commonEnv, loadConfig, publicKeyFromEnv, requestTimeoutEnv } from '@chat/service-kit';

export const RoomsEnv = Type.Object({
  ...commonEnv(3002),
  DATABASE_URL: Type.String({
    pattern: '^postgres(ql)?://',
    description: 'its Postgres database; it migrates and uses only its own schema there, so the services may share one',
  }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'connections in the pool' }),
  DATABASE_IDLE_TIMEOUT_MS: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'how long an unused database connection stays open; 0 keeps it',
  }),
  USER_CACHE_TTL_MS: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'longest a user lookup is reused; changes drop it at once',
  }),
  REQUEST_TIMEOUT_MS: requestTimeoutEnv(2000, 'deadline of NATS requests to the auth service'),
  PRESENCE_GATEWAY_TIMEOUT_MS: Type.Integer({
    minimum: 3000,
    maximum: 60_000,
    default: PRESENCE_GATEWAY_TIMEOUT_MS,
    description:
      'a gateway not heard from for this long is taken for dead: its users leave presence (gateways say they are alive every PRESENCE_HEARTBEAT_MS; keep this at least three times that)',
  }),
  MEMBERS_PAGE_SIZE: Type.Integer({
    minimum: 1,
    maximum: MEMBERS_PAGE_MAX,
    default: MEMBERS_PAGE_MAX,
    description: 'most members a join reply or a members page lists; clients page the rest',
  }),
});

export interface RoomsConfig extends Static<typeof RoomsEnv> {
  publicKey: string;
}

export function roomsConfigFromEnv(env: Record<string, string | undefined> = process.env): RoomsConfig {
  const parsed = loadConfig(RoomsEnv, env);
  return { ...parsed, publicKey: publicKeyFromEnv(parsed) };
}
