// `npm run cluster`: the stack scaled out on this machine, as docs/scaling.md draws it: a three-node NATS cluster
// (deploy/nats-server.conf on every node, the passwords of the data folder), three gateways each connected to a
// different node, two rooms and two auth instances spread over the nodes, one Postgres (DATABASE_URL, or the
// embedded one in the data folder), and the front (deploy/front/nginx.conf, Debian's nginx) spreading /ws and /api
// over the gateways. Each service is given one node's URL and learns the others from it, so it fails over when its
// node dies.
//
// Unlike `npm start`, a process that ends on its own does not take the rest down: killing a node, a gateway or a
// rooms instance to watch the others carry on is what this is for. Ctrl-C stops everything in order.
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

// Its own folder: the embedded databases, the bus's passwords and stack.json are not `npm start`'s, so both may run.
const dataDir = resolve(repoRoot, process.env.DATA_DIR ?? '.data/cluster');
const host = '127.0.0.1';

claimDataDir(dataDir);
const frontPort = await checkedPort(host, 'npm run cluster');
const natsVersion = requireNatsServer();
if (process.env.NATS_URL) say('NATS_URL is ignored: the cluster runs its own three nodes');

const keys = ensureDevKeyPair(dataDir);
const { configFile, env: natsEnv, credentials } = lockedNats(dataDir);
const stack = Stack.create({
  natsCluster: { nodes: 3, configFile, env: natsEnv, detached: true },
  natsCredentials: credentials,
  database: process.env.DATABASE_URL ? { url: process.env.DATABASE_URL } : { embeddedIn: dataDir },
  logs: 'inherit',
  env: { ...process.env, DATA_DIR: dataDir, JWT_PUBLIC_KEY_FILE: keys.publicKey },
  authEnv: { JWT_PRIVATE_KEY_FILE: keys.privateKey },
  auth: 2,
  rooms: 2,
  gateways: 3,
  front: { port: frontPort },
  detached: true,
  ipc: true,
});

const { started } = await runStack(stack, {
  dataDir,
  processes: () => [
    ...stack.services(),
    ...stack.natsCluster.nodes.map((node, i) => ({ label: `nats-${i + 1}`, exited: node.exited })),
    { label: 'front', exited: stack.front.process.exited },
  ],
  onExit(label, exit) {
    console.error(`[stack] ${label} exited (${exitWords(exit)}); the others carry on (Ctrl-C stops them all)`);
  },
});

if (started) {
  const nodes = stack.natsCluster.nodes;
  const front = stack.front;
  writeStackFile(dataDir, stack, { frontUrl: front.url, natsMonitorUrls: nodes.map((n) => n.monitorUrl) }, credentials);
  say(`${natsVersion}: a cluster of ${nodes.length} nodes, ${nodes.map((n) => n.url).join(', ')}`);
  for (const [i, node] of nodes.entries()) say(`  nats-${i + 1} monitoring: ${node.monitorUrl}`);
  for (const service of stack.services()) say(`  ${service.label} on ${service.url}`);
  say(
    `NATS is locked (deploy/nats-server.conf, passwords in ${natsCredentialsFile(dataDir)}); watch it with: nats --server ${stack.natsUrl} --user operator --password ${credentials.operator} sub '>'`,
  );
  if (stack.databases.embedded) say(`embedded Postgres (PGlite) in ${join(dataDir, 'pglite')}`);
  const superuser = process.env.DATABASE_URL
    ? 'npm run createsuperuser'
    : `DATA_DIR=${process.env.DATA_DIR ?? '.data/cluster'} npm run createsuperuser`;
  say(`open ${front.url}  (the front, over ${stack.gateways.length} gateways; make an admin with: ${superuser})`);
}
