// `npm start`: the whole stack on this machine. Uses NATS_URL and DATABASE_URL when they are set; otherwise
// starts nats-server from PATH on a free port and embedded Postgres (PGlite) in the data folder.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevKeyPair } from '@chat/service-kit';
import { startEmbeddedPostgres } from './embedded-postgres.mjs';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env.DATA_DIR ?? '.data');
mkdirSync(dataDir, { recursive: true });
const stackFile = join(dataDir, 'stack.json');
const children = [];
const stoppers = [];

function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

function say(line) {
  console.log(`[stack] ${line}`);
}

async function startNats() {
  if (process.env.NATS_URL) return process.env.NATS_URL;
  const found = spawnSync('nats-server', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    console.error(
      '[stack] nats-server is not on PATH. Install it (Debian/Ubuntu: apt-get install nats-server; macOS: brew install nats-server;\n' +
        '        or download from https://github.com/nats-io/nats-server/releases), or set NATS_URL to a running server.',
    );
    process.exit(1);
  }
  const port = await freePort();
  const log = openSync(join(dataDir, 'nats-server.log'), 'a');
  const child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', log, log] });
  children.push({ name: 'nats-server', child });
  say(`nats-server ${found.stdout.trim()} on nats://127.0.0.1:${port} (log: ${join(dataDir, 'nats-server.log')})`);
  await sleep(300);
  return `nats://127.0.0.1:${port}`;
}

async function databases() {
  if (process.env.DATABASE_URL)
    return { auth: process.env.DATABASE_URL, rooms: process.env.DATABASE_URL, poolMax: '10' };
  const auth = await startEmbeddedPostgres(dataDir, 'auth', await freePort());
  const rooms = await startEmbeddedPostgres(dataDir, 'rooms', await freePort());
  stoppers.push(auth.stop, rooms.stop);
  say(`embedded Postgres (PGlite) in ${join(dataDir, 'pglite')}`);
  return { auth: auth.url, rooms: rooms.url, poolMax: '1' };
}

function startService(name, env) {
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'server.js')], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  children.push({ name, child });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[stack] ${name} exited (${signal ?? code}); stopping the stack`);
      stop(1);
    }
  });
}

let stopping = false;
async function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const { child } of children.toReversed()) child.kill('SIGTERM');
  await Promise.all(
    children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : null)),
  );
  for (const stopper of stoppers) await stopper().catch(() => {});
  rmSync(stackFile, { force: true });
  process.exit(code);
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

const keys = ensureDevKeyPair(dataDir);
const natsUrl = await startNats();
const db = await databases();
const authPort = process.env.AUTH_PORT ?? String(await freePort());
const roomsPort = process.env.ROOMS_PORT ?? String(await freePort());
const gatewayPort = process.env.PORT ?? '8080';
const common = {
  NATS_URL: natsUrl,
  DATA_DIR: dataDir,
  JWT_PUBLIC_KEY_FILE: keys.publicKey,
  DATABASE_POOL_MAX: db.poolMax,
};
writeFileSync(stackFile, JSON.stringify({ authDatabaseUrl: db.auth, natsUrl, pid: process.pid }, null, 2));

startService('auth', { ...common, PORT: authPort, DATABASE_URL: db.auth, JWT_PRIVATE_KEY_FILE: keys.privateKey });
startService('rooms', { ...common, PORT: roomsPort, DATABASE_URL: db.rooms });
startService('gateway', {
  ...common,
  PORT: gatewayPort,
  AUTH_URL: `http://127.0.0.1:${authPort}`,
  ROOMS_URL: `http://127.0.0.1:${roomsPort}`,
});
// Say "open" only once the gateway answers and reaches both services.
for (let tries = 0; tries < 300 && !stopping; tries++) {
  const ready = await fetch(`http://127.0.0.1:${gatewayPort}/api/rooms/health`)
    .then((res) => res.ok && fetch(`http://127.0.0.1:${gatewayPort}/api/auth/health`).then((r) => r.ok))
    .catch(() => false);
  if (ready) break;
  await sleep(100);
}
say(`open http://127.0.0.1:${gatewayPort}  (make an admin with: npm run createsuperuser)`);
