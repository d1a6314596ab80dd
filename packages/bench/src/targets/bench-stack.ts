/**
 * The stack as a bench runs it: a fresh Postgres database and signing keys, every service as its own process from
 * its built dist/server.js in production mode, logs to files, and the first admin made through the auth CLI and
 * logged in, as an operator would. What differs between benches (limits lifted or as shipped, profiling) is
 * passed in.
 */
import { Stack } from '@chat/stack';
import { createTestDatabase, generateSigningKeys } from '@chat/test-kit';
import { login } from '../rest-client.js';

const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' };

export interface BenchStackOptions {
  /** The database name's prefix (a random suffix follows). */
  databasePrefix: string;
  /** Each process's log file, by its label (auth, rooms-1, gateway-1, nats-server). */
  logFile(label: string): string;
  nodeArgs?: (label: string) => string[];
  authEnv?: Record<string, string>;
  /** Omitted: the gateway's limits as shipped. */
  gatewayEnv?: Record<string, string>;
  /**
   * The stack scaled out as `npm run cluster` runs it: three NATS nodes and three gateways, gateway N on node N
   * (rooms on node 2, auth on node 3). Otherwise one nats-server and one gateway.
   */
  cluster?: boolean;
}

export interface BenchStack {
  stack: Stack;
  /** The gateway's HTTP origin. */
  base: string;
  adminToken: string;
  database: { url: string; name: string };
  stop(): Promise<void>;
}

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const database = await createTestDatabase(options.databasePrefix);
  const keys = generateSigningKeys();
  let stack: Stack | undefined;
  const stop = async () => {
    await stack?.stop();
    await database.drop();
  };
  try {
    stack = await Stack.start({
      // Monitoring (/connz, /subsz) on every node, so that a bench can count subscriptions.
      ...(options.cluster ? { natsCluster: { nodes: 3 }, gateways: 3 } : { nats: { monitor: true } }),
      database: { url: database.url },
      logs: (label) => ({ file: options.logFile(label) }),
      nodeArgs: options.nodeArgs,
      env: { NODE_ENV: 'production', LOG_LEVEL: 'warn', JWT_PUBLIC_KEY: keys.publicKey },
      authEnv: { JWT_PRIVATE_KEY: keys.privateKey, ...options.authEnv },
      gatewayEnv: options.gatewayEnv,
    });
    await stack.createSuperuser(ADMIN.username, ADMIN.password);
    const base = stack.gatewayUrl;
    const adminToken = await login(base, ADMIN.username, ADMIN.password);
    return { stack, base, adminToken, database: { url: database.url, name: database.name }, stop };
  } catch (err) {
    await stop().catch(() => {});
    throw err;
  }
}
