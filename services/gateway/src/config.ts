import { type Static, Type } from '@sinclair/typebox';
import { PRESENCE_HEARTBEAT_MS } from '@chat/protocol';
import { commonEnv, loadConfig, publicKeyFromEnv, requestTimeoutEnv } from '@chat/service-kit';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { instanceUrls } from './service-instances.js';

/** One http(s) URL, or several separated by commas (blanks around them allowed). */
const URL_LIST = '^\\s*https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*\\s*$';

export const GatewayEnv = Type.Object({
  ...commonEnv(8080),
  AUTH_URL: Type.String({
    pattern: URL_LIST,
    default: 'http://127.0.0.1:3001',
    description:
      'the auth service, where /api/auth/* is forwarded: one URL, or several comma-separated to spread over instances',
  }),
  ROOMS_URL: Type.String({
    pattern: URL_LIST,
    default: 'http://127.0.0.1:3002',
    description:
      'the rooms service, where /api/rooms/* is forwarded: one URL, or several comma-separated to spread over instances',
  }),
  ALLOWED_ORIGINS: Type.Optional(
    Type.String({
      description:
        'comma-separated origins allowed to open /ws with the session cookie (their ws: twins join the CSP connect-src); unset: http://127.0.0.1:PORT and http://localhost:PORT',
    }),
  ),
  WEB_ROOT: Type.Optional(
    Type.String({
      description: 'folder of the built web client served at /; unset: web/dist of the checkout when it is built',
    }),
  ),
  USER_CACHE_TTL_MS: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'longest a user lookup is reused; changes drop it at once',
  }),
  REQUEST_TIMEOUT_MS: requestTimeoutEnv(
    3000,
    'deadline of its requests to the services; past it the client gets UNAVAILABLE',
  ),
  SEND_ATTEMPTS: Type.Integer({
    minimum: 1,
    maximum: 10,
    default: 2,
    description: 'tries of a send within REQUEST_TIMEOUT_MS',
  }),
  ACCESS_RECHECK_DEADLINE_MS: Type.Integer({
    minimum: 1000,
    maximum: 60_000,
    default: 10_000,
    description:
      "after a reconnection to NATS, how long auth and rooms may take to confirm every socket's access; past it the sockets are closed (1012) for their clients to reconnect",
  }),
  ACCESS_SWEEP_INTERVAL_MS: Type.Integer({
    minimum: 0,
    default: 30_000,
    description:
      "how often every socket's access is judged again from the current state, for a change whose announcement never arrived (a member who only reads stays in a room at most this plus USER_CACHE_TTL_MS after it); 0: never",
  }),
  MAX_ROOMS_PER_CONNECTION: Type.Integer({ minimum: 1, default: 100, description: 'rooms one socket may be in' }),
  CLIENT_WRITE_GATHER_MS: Type.Integer({
    minimum: 0,
    maximum: 100,
    default: 0,
    description: 'while busy, frames to clients wait up to this long to leave several per write; 0: after every turn',
  }),
  SEND_BUFFER_LIMIT_BYTES: Type.Integer({
    minimum: 1024,
    default: 4 * 1024 * 1024,
    description:
      "a socket whose unsent backlog passes this is closed (1008): slow consumers cannot grow the gateway's memory",
  }),
  MAX_CONNECTIONS_PER_USER: Type.Integer({
    minimum: 1,
    default: 20,
    description: 'sockets one user may hold on this gateway (429 beyond)',
  }),
  SENDS_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    default: 20,
    description: 'per connection; bursts of twice as many',
  }),
  HANDSHAKES_CONCURRENT: Type.Integer({
    minimum: 1,
    default: 16,
    description: 'most new sockets whose token and user are checked at the same time; the rest wait their turn',
  }),
  ADMISSION_MAX_JOINS: Type.Integer({
    minimum: 1,
    default: 64,
    description: 'new sockets wait while this many joins are under way (the ceiling of an adaptive limit)',
  }),
  ADMISSION_JOIN_TARGET_MS: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'joins slower than this make the gateway let new sockets in more slowly',
  }),
  HANDSHAKE_QUEUE_MAX: Type.Integer({
    minimum: 0,
    default: 10_000,
    description: 'new sockets waiting their turn; more are refused with 503',
  }),
  HANDSHAKE_QUEUE_MAX_PER_ADDRESS: Type.Integer({
    minimum: 0,
    default: 2000,
    description:
      'new sockets waiting their turn from one client address (IPv6: one /64); more are refused with 503. Addresses take turns round-robin',
  }),
  HANDSHAKE_QUEUE_TIMEOUT_MS: Type.Integer({
    minimum: 1,
    default: 15_000,
    description: 'longest a new socket waits its turn before a 503',
  }),
  PRESENCE_HEARTBEAT_MS: Type.Integer({
    minimum: 100,
    maximum: 20_000,
    default: PRESENCE_HEARTBEAT_MS,
    description:
      "how often it tells the rooms service it is alive; silent past rooms' PRESENCE_GATEWAY_TIMEOUT_MS, its users leave presence",
  }),
  JOINS_PER_SECOND: Type.Number({
    exclusiveMinimum: 0,
    default: 10,
    description: 'per connection; bursts of twice as many',
  }),
});

export interface GatewayConfig extends Static<typeof GatewayEnv> {
  publicKey: string;
  /** AUTH_URL's instances. */
  authUrls: string[];
  /** ROOMS_URL's instances. */
  roomsUrls: string[];
  allowedOrigins: Set<string>;
  webRoot: string | undefined;
}

const defaultWebRoot = fileURLToPath(new URL('../../../web/dist', import.meta.url));

export function gatewayConfigFromEnv(env: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = loadConfig(GatewayEnv, env);
  const publicKey = publicKeyFromEnv(parsed);
  const origins = parsed.ALLOWED_ORIGINS
    ? parsed.ALLOWED_ORIGINS.split(',')
        .map((o) => o.trim())
        .filter(Boolean)
    : [`http://127.0.0.1:${parsed.PORT}`, `http://localhost:${parsed.PORT}`];
  const webRoot = parsed.WEB_ROOT ?? (existsSync(defaultWebRoot) ? defaultWebRoot : undefined);
  return {
    ...parsed,
    publicKey,
    authUrls: instanceUrls(parsed.AUTH_URL),
    roomsUrls: instanceUrls(parsed.ROOMS_URL),
    allowedOrigins: new Set(origins),
    webRoot,
  };
}
