/**
 * The topology of `npm run cluster` for tests: a three-node NATS cluster locked as deploy/nats-server.conf, three
 * gateways each on its own node, two auth and two rooms instances spread over the nodes, and the front (nginx with
 * deploy/front/nginx.conf) before the gateways. Clients go through the front, as browsers would; a test that must
 * know where a client landed reads each gateway's socket gauge (/metrics, on 127.0.0.1) around its connect.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureNatsCredentials, natsServerConfig, natsServerEnv, type ServiceProcess, Stack } from '@chat/stack';
import {
  createTestDatabase,
  generateSigningKeys,
  openSocket,
  restClient,
  type TestDatabase,
  type TestSocket,
} from '@chat/test-kit';

/** The deadline of the gateways' requests to the services, as the fault tests use it. */
export const REQUEST_TIMEOUT_MS = 1000;

export async function startCluster() {
  const folder = mkdtempSync(join(tmpdir(), 'chat-cluster-'));
  let database: TestDatabase | undefined;
  let stack: Stack | undefined;
  const sockets: TestSocket[] = [];
  const stop = async () => {
    for (const s of sockets) s.ws.terminate();
    await stack?.stop();
    await database?.drop();
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    database = await createTestDatabase('chat_cluster');
    const keys = generateSigningKeys();
    const credentials = ensureNatsCredentials(folder);
    stack = await Stack.start({
      natsCluster: { nodes: 3, configFile: natsServerConfig, env: natsServerEnv(credentials) },
      natsCredentials: credentials,
      database: { url: database.url },
      logs: 'memory',
      auth: 2,
      rooms: 2,
      gateways: 3,
      // The front's /ws and /api are what is tested; its web root is an empty folder.
      front: { webRoot: folder },
      env: { NODE_ENV: 'test', LOG_LEVEL: 'info', JWT_PUBLIC_KEY: keys.publicKey },
      authEnv: { JWT_PRIVATE_KEY: keys.privateKey, LOGINS_PER_ADDRESS: '10000' },
      gatewayEnv: {
        TRUST_PROXY: '127.0.0.1',
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        SENDS_PER_SECOND: '1000',
        JOINS_PER_SECOND: '1000',
      },
    });
    await stack.createSuperuser('admin', 'admin-password');
  } catch (err) {
    await stop();
    throw err;
  }
  const processes = stack;
  const front = restClient(processes.front.url);
  const adminToken = await front.login('admin', 'admin-password');
  const frontWs = `${processes.front.url.replace('http', 'ws')}/ws`;

  let users = 0;
  async function user(options: { isStaff?: boolean } = {}) {
    const username = `user${++users}`;
    const password = `${username}-password`;
    const res = await front.call('POST', '/api/auth/users', {
      token: adminToken,
      body: { username, password, isStaff: options.isStaff ?? false },
    });
    if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id as string, username, token: await front.login(username, password) };
  }

  async function room(title: string, staffOnly = false): Promise<string> {
    const res = await front.call('POST', '/api/rooms', { token: adminToken, body: { title, staffOnly } });
    if (res.status !== 201) throw new Error(`create room ${title}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /**
   * Runs `connect` (which opens one socket through the front) and tells which gateway took it: the one whose
   * socket gauge rose. Connects measured so must not overlap.
   */
  async function landing<T>(connect: () => Promise<T>): Promise<{ value: T; gateway: ServiceProcess }> {
    const before = await socketCounts();
    const value = await connect();
    const deadline = Date.now() + 5000;
    for (;;) {
      const after = await socketCounts();
      const rose = processes.gateways.filter((_gateway, i) => (after[i] ?? 0) > (before[i] ?? 0));
      if (rose.length === 1) return { value, gateway: rose[0] as ServiceProcess };
      if (Date.now() > deadline) throw new Error(`no one gateway took the socket: ${before} → ${after}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Each gateway's open sockets, as its /metrics says (a dead gateway counts none). */
  async function socketCounts(): Promise<number[]> {
    return Promise.all(processes.gateways.map((g) => (g.running ? socketGauge(g) : 0)));
  }

  /** A socket through the front, and the gateway it landed on. */
  async function frontSocket(token: string): Promise<{ socket: TestSocket; gateway: ServiceProcess }> {
    const { value: socket, gateway } = await landing(() => openSocket(frontWs, { token }));
    sockets.push(socket);
    return { socket, gateway };
  }

  /** A socket straight to one gateway (bypassing the front): for a test that picks the gateway itself. */
  async function gatewaySocket(token: string, gateway: ServiceProcess): Promise<TestSocket> {
    const socket = await openSocket(`${gateway.url.replace('http', 'ws')}/ws`, { token });
    sockets.push(socket);
    return socket;
  }

  return {
    processes,
    databaseUrl: database.url,
    front,
    frontWs,
    adminToken,
    user,
    room,
    landing,
    socketCounts,
    frontSocket,
    gatewaySocket,
    /** REST straight to one gateway, so a test knows which service instance (and NATS node) handles it. */
    via: (gateway: ServiceProcess) => restClient(gateway.url),
    logs: () => processes.logs(),
    stop,
  };
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>;

async function socketGauge(gateway: ServiceProcess): Promise<number> {
  const text = await (await fetch(`${gateway.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('chat_gateway_sockets{') || l.startsWith('chat_gateway_sockets '));
  return Number(line?.split(' ').at(-1) ?? 0);
}

/** Which NATS node (1-based) a service process was given. */
export function nodeOf(cluster: Cluster, service: ServiceProcess): number {
  const node = cluster.processes.natsNodeOf(service);
  return (cluster.processes.natsCluster?.nodes.indexOf(node as never) ?? -1) + 1;
}
