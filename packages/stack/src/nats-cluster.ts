/**
 * A NATS cluster on one machine: `nodes` nats-servers on loopback, each with its own client port and joined by
 * routes (every node names every other, so any one of them may go and come back). A client given one node's
 * URL starts there and learns the others from it (the servers tell their clients of their peers), so it fails
 * over when that node dies: a launcher that wants each gateway on its own node hands it that node's URL.
 */
import { freePort } from './ports.js';
import { type NatsServer, type NatsServerOptions, startNatsServer } from './nats-server.js';
import type { LogTarget } from './stack-process.js';

export interface NatsClusterOptions extends Pick<NatsServerOptions, 'configFile' | 'env' | 'detached'> {
  /** How many servers; three by default (the smallest cluster that keeps a majority when one dies). */
  nodes?: number;
  /** Where each node's output goes, by its label (nats-1, nats-2 …); memory by default. */
  logs?: (label: string) => LogTarget;
  /** The cluster's name (routes of another name are refused). */
  name?: string;
}

export interface NatsCluster {
  nodes: NatsServer[];
  /** Every node's client URL, comma-separated: what a client that may use any node is given. */
  url: string;
  stop(): Promise<void>;
}

export async function startNatsCluster(options: NatsClusterOptions = {}): Promise<NatsCluster> {
  const count = options.nodes ?? 3;
  const name = options.name ?? 'chat';
  const routePorts: number[] = [];
  for (let i = 0; i < count; i++) routePorts.push(await freePort());
  const routes = routePorts.map((port) => `nats-route://127.0.0.1:${port}`).join(',');
  const nodes: NatsServer[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const label = `nats-${i + 1}`;
      nodes.push(
        await startNatsServer({
          configFile: options.configFile,
          env: options.env,
          detached: options.detached,
          label,
          logs: options.logs?.(label) ?? 'memory',
          // A configuration file may name a monitoring port; every node needs its own.
          monitor: true,
          extraArgs: [
            ...['--name', `${name}-${i + 1}`, '--cluster_name', name],
            ...['--cluster', `nats://127.0.0.1:${routePorts[i]}`, '--routes', routes],
          ],
        }),
      );
    }
  } catch (err) {
    await Promise.all(nodes.map((node) => node.stop()));
    throw err;
  }
  await routesFormed(nodes).catch(async (err: unknown) => {
    await Promise.all(nodes.map((node) => node.stop()));
    throw err;
  });
  const urls = nodes.map((node) => node.url);
  return {
    nodes,
    url: urls.join(','),
    async stop() {
      await Promise.all(nodes.map((node) => (node.running ? node.stop() : undefined)));
    },
  };
}

const ROUTES_TIMEOUT_MS = 10_000;

/** Until every node has a route to every other: before that, a message may not cross between two nodes. */
async function routesFormed(nodes: NatsServer[]): Promise<void> {
  const deadline = Date.now() + ROUTES_TIMEOUT_MS;
  const want = nodes.length - 1;
  for (;;) {
    const counts = await Promise.all(
      nodes.map((node) =>
        fetch(`${node.monitorUrl}/routez`)
          .then((res) => res.json() as Promise<{ num_routes: number }>)
          .then(
            (routez) => routez.num_routes,
            () => 0,
          ),
      ),
    );
    // A node may hold more than one route to a peer (pooled routes): at least one to each is what counts.
    if (counts.every((n) => n >= want)) return;
    if (Date.now() > deadline)
      throw new Error(`NATS cluster routes did not form within ${ROUTES_TIMEOUT_MS} ms: ${counts}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
