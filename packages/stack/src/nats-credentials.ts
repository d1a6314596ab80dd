// The dev bus's passwords: one for each user of deploy/nats-server.conf, generated once into the data folder and
// reused on every later start, so that a restart, and a nats CLI command a developer has kept, go on working.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The compose stack's NATS configuration: a user per service, each allowed only its subjects. */
export const natsServerConfig = join(repoRoot, 'deploy', 'nats-server.conf');

/** The users deploy/nats-server.conf defines, and the variable it reads each one's password from. */
const PASSWORD_VARIABLES = {
  auth: 'NATS_AUTH_PASS',
  rooms: 'NATS_ROOMS_PASS',
  gateway: 'NATS_GATEWAY_PASS',
  operator: 'NATS_OPERATOR_PASS',
} as const;

export type NatsUser = keyof typeof PASSWORD_VARIABLES;
export type NatsCredentials = Record<NatsUser, string>;

const USERS = Object.keys(PASSWORD_VARIABLES) as NatsUser[];

export function natsCredentialsFile(dataDir: string): string {
  return join(dataDir, 'nats-credentials.json');
}

// nats-server parses a variable's value as configuration text (`12k` would be a size, `a b` an error), so a
// password is letters and digits only, starting with a letter: 192 random bits in hex.
function newPassword(): string {
  return `p${randomBytes(24).toString('hex')}`;
}

function usable(password: unknown): password is string {
  return typeof password === 'string' && /^[A-Za-z][A-Za-z0-9]{15,}$/.test(password);
}

/** `{ auth, rooms, gateway, operator }` passwords: those in the data folder, with any missing one generated. */
export function ensureNatsCredentials(dataDir: string): NatsCredentials {
  const file = natsCredentialsFile(dataDir);
  let kept: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      kept = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // A damaged file is replaced: nothing but this launcher depends on the old passwords.
    }
  }
  const credentials = Object.fromEntries(
    USERS.map((user) => [user, usable(kept[user]) ? kept[user] : newPassword()]),
  ) as NatsCredentials;
  if (JSON.stringify(credentials) !== JSON.stringify(kept))
    writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  // The mode given above applies only to a file being created; one copied in from elsewhere is closed too.
  chmodSync(file, 0o600);
  return credentials;
}

/** The environment nats-server needs to read deploy/nats-server.conf with these passwords. */
export function natsServerEnv(credentials: NatsCredentials): Record<string, string> {
  return Object.fromEntries(USERS.map((user) => [PASSWORD_VARIABLES[user], credentials[user]]));
}
