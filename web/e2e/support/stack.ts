/**
 * The real stack for browser tests, started from the repo's built services on a private nats-server, a fresh
 * Postgres database and a temporary data folder (so signing keys and stack.json belong to this run only).
 *
 * Two ways to start it: `startDevStack` runs `node scripts/dev-stack.mjs` exactly as `npm start` does;
 * `startServiceStack` starts auth, rooms and gateway through @chat/stack with the environment dev-stack gives
 * them, so a test can restart the gateway alone (dev-stack stops everything when one service exits).
 * Each process's output goes to web/test-artifacts/<test>-<process>.log.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDevKeyPair } from '@chat/service-kit';
import { Stack as ChatStack, freePort, type LogTarget, StackProcess, startNatsServer } from '@chat/stack';
import { createTestDatabase } from '@chat/test-kit';
import { artifactsDir, repoRoot } from './paths';

/** Machines running other heavy jobs start Node processes slowly. */
const START_TIMEOUT_MS = 45_000;

export interface Stack {
  /** http://127.0.0.1:PORT, one of the gateway's default allowed origins. */
  baseUrl: string;
  databaseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface ServiceStack extends Stack {
  /** SIGTERM to the gateway (it closes every socket with 1012), then the same gateway again on the same port. */
  restartGateway(options?: { downMs?: number }): Promise<void>;
}

/** `npm start`, minus the build: scripts/dev-stack.mjs with NATS_URL, DATABASE_URL, PORT and DATA_DIR set. */
export async function startDevStack(name: string): Promise<Stack> {
  const infra = await startInfrastructure(name);
  try {
    const port = await freePort();
    const launcher = await StackProcess.spawn({
      label: 'dev-stack',
      command: process.execPath,
      args: [join(repoRoot, 'scripts', 'dev-stack.mjs')],
      env: {
        ...(process.env as Record<string, string>),
        NATS_URL: infra.natsUrl,
        DATABASE_URL: infra.databaseUrl,
        PORT: String(port),
        DATA_DIR: infra.dataDir,
      },
      logs: infra.logs('dev-stack'),
    });
    const baseUrl = `http://127.0.0.1:${port}`;
    await launcher.waitUntil('serving', () => serving(baseUrl), START_TIMEOUT_MS);
    return {
      baseUrl,
      databaseUrl: infra.databaseUrl,
      dataDir: infra.dataDir,
      async stop() {
        await launcher.stop();
        await infra.stop();
      },
    };
  } catch (error) {
    await infra.stop();
    throw error;
  }
}

/** auth, rooms and gateway as three processes, with the environment scripts/dev-stack.mjs gives them. */
export async function startServiceStack(name: string): Promise<ServiceStack> {
  const infra = await startInfrastructure(name);
  try {
    const keys = ensureDevKeyPair(infra.dataDir);
    const stack = await ChatStack.start({
      nats: { url: infra.natsUrl },
      database: { url: infra.databaseUrl },
      logs: infra.logs,
      // The test run's environment too (NODE_ENV=test among it), as the services had it before.
      env: {
        ...(process.env as Record<string, string>),
        DATA_DIR: infra.dataDir,
        JWT_PUBLIC_KEY_FILE: keys.publicKey,
        DATABASE_POOL_MAX: '10',
      },
      authEnv: { JWT_PRIVATE_KEY_FILE: keys.privateKey },
    });
    const gateway = stack.gateways[0];
    if (!gateway) throw new Error('the stack started no gateway');
    return {
      baseUrl: stack.gatewayUrl,
      databaseUrl: infra.databaseUrl,
      dataDir: infra.dataDir,
      async restartGateway({ downMs = 0 } = {}) {
        await gateway.stop();
        if (downMs > 0) await sleep(downMs);
        await gateway.restart();
      },
      async stop() {
        await stack.stop();
        await infra.stop();
      },
    };
  } catch (error) {
    await infra.stop();
    throw error;
  }
}

/** What a newcomer runs: `node scripts/createsuperuser.mjs --username NAME --password PASS`. */
export async function createSuperuser(stack: Stack, username: string, password: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'scripts', 'createsuperuser.mjs'), '--username', username, '--password', password],
    { cwd: repoRoot, env: { ...process.env, DATABASE_URL: stack.databaseUrl }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !output.includes(`Superuser ${username} created.`)) {
    throw new Error(`createsuperuser failed (exit ${code}):\n${output}`);
  }
}

interface Infrastructure {
  natsUrl: string;
  databaseUrl: string;
  dataDir: string;
  /** Where a process's output goes: web/test-artifacts/<test>-<process>.log. */
  logs(label: string): LogTarget;
  stop(): Promise<void>;
}

async function startInfrastructure(name: string): Promise<Infrastructure> {
  if (!existsSync(join(repoRoot, 'web', 'dist', 'index.html'))) {
    throw new Error('web/dist is missing; build first: npx turbo run build');
  }
  mkdirSync(artifactsDir, { recursive: true });
  const logs = (label: string): LogTarget => {
    const file = join(artifactsDir, `${name}-${label}.log`);
    rmSync(file, { force: true });
    return { file };
  };
  const dataDir = mkdtempSync(join(tmpdir(), `chat-e2e-${name}-`));
  const nats = await startNatsServer({ logs: logs('nats-server') });
  const database = await createTestDatabase('chat_e2e').catch(async (error: unknown) => {
    await nats.stop();
    throw error;
  });
  return {
    natsUrl: nats.url,
    databaseUrl: database.url,
    dataDir,
    logs,
    async stop() {
      await nats.stop();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Serving means the browser's whole path works: the gateway serves the client, and it reaches auth and rooms
 * (both answer an anonymous request with 401, where an unreachable service would give 5xx).
 */
async function serving(baseUrl: string): Promise<boolean> {
  const checks: [string, number][] = [
    ['/', 200],
    ['/api/auth/me', 401],
    ['/api/rooms', 401],
  ];
  const statuses = await Promise.all(
    checks.map(([path]) =>
      fetch(baseUrl + path, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.status,
        () => 0,
      ),
    ),
  );
  return statuses.every((status, i) => status === checks[i]?.[1]);
}
