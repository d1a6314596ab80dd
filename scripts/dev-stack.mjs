// `npm start`: the whole stack on this machine. Uses NATS_URL and DATABASE_URL when they are set; otherwise
// starts nats-server from PATH on a free port and embedded Postgres (PGlite) in the data folder.
//
// Its own nats-server runs with deploy/nats-server.conf, the compose stack's file: a user per service, each
// allowed only its subjects, with passwords generated into the data folder. Without them a local process can
// neither connect nor, say, answer auth.user.get as if it were auth.
//
// Stopping (Ctrl-C, or SIGINT/SIGTERM to this process alone) goes in order: the gateway first (clients are told
// to reconnect, 1012), then auth and rooms (requests in flight finish, queued messages are committed), and only
// then nats-server and the databases they were using. The children run in process groups of their own, so a
// Ctrl-C in the terminal reaches this launcher only and cannot stop NATS under services that still need it.
// Starting and stopping the processes is @chat/stack's (packages/stack); launcher.mjs adds what a person at a
// terminal needs, shared with `npm run cluster`: a port check with advice, leftovers of a killed launcher
// cleared, and stack.json for the other tools.
import { join, resolve } from 'node:path';
import { ensureDevKeyPair } from '@chat/service-kit';
import { natsCredentialsFile, repoRoot, Stack } from '@chat/stack';
import {
  checkedPort,
  claimDataDir,
  exitWords,
  lockedNats,
  requireNatsServer,
  runStack,
  say,
  writeStackFile,
} from './launcher.mjs';

const dataDir = resolve(repoRoot, process.env.DATA_DIR ?? '.data');
const host = process.env.HOST ?? '127.0.0.1';

/** Its own nats-server (locked as in deploy/nats-server.conf) unless NATS_URL names one; nats-server must be on PATH. */
function natsOptions() {
  if (process.env.NATS_URL) return { nats: { url: process.env.NATS_URL } };
  const { configFile, env, credentials } = lockedNats(dataDir);
  return {
    nats: { configFile, env, monitor: true, logs: { file: join(dataDir, 'nats-server.log') }, detached: true },
    natsCredentials: credentials,
  };
}

claimDataDir(dataDir);
const gatewayPort = await checkedPort(host, 'npm start');
const natsVersion = process.env.NATS_URL ? undefined : requireNatsServer();

const keys = ensureDevKeyPair(dataDir);
const nats = natsOptions();
const stack = Stack.create({
  ...nats,
  database: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { embeddedIn: dataDir },
  logs: 'inherit',
  env: { ...process.env, DATA_DIR: dataDir, JWT_PUBLIC_KEY_FILE: keys.publicKey },
  authEnv: { JWT_PRIVATE_KEY_FILE: keys.privateKey },
  gatewayPort,
  ...(process.env.AUTH_PORT ? { authPort: Number(process.env.AUTH_PORT) } : {}),
  ...(process.env.ROOMS_PORT ? { roomsPort: Number(process.env.ROOMS_PORT) } : {}),
  detached: true,
  ipc: true,
});

const { started } = await runStack(stack, {
  dataDir,
  processes: () => [
    ...stack.services(),
    ...(stack.natsServer ? [{ label: 'nats-server', exited: stack.natsServer.exited }] : []),
  ],
  // Any process that ends on its own takes the stack down with it: a half stack would only mislead.
  onExit(label, exit, stop) {
    console.error(`[stack] ${label} exited (${exitWords(exit)}); stopping the stack`);
    stop(1);
  },
});

if (started) {
  const server = stack.natsServer;
  writeStackFile(dataDir, stack, { natsMonitorUrl: server?.monitorUrl }, nats.natsCredentials);
  if (server) {
    say(`${natsVersion} on ${server.url} (monitoring: ${server.monitorUrl}, log: ${join(dataDir, 'nats-server.log')})`);
    say(
      `NATS is locked (deploy/nats-server.conf, passwords in ${natsCredentialsFile(dataDir)}); watch it with: nats --server ${server.url} --user operator --password ${nats.natsCredentials.operator} sub '>'`,
    );
  }
  if (stack.databases.embedded) say(`embedded Postgres (PGlite) in ${join(dataDir, 'pglite')}`);
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  say(`open http://${localHost}:${gatewayPort}  (make an admin with: npm run createsuperuser)`);
}
