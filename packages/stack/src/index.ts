export { type DatabaseOptions, type Databases, startDatabases, startEmbeddedDatabase } from './databases.js';
export {
  ensureNatsCredentials,
  type NatsCredentials,
  type NatsUser,
  natsCredentialsFile,
  natsServerConfig,
  natsServerEnv,
} from './nats-credentials.js';
export { type Front, type FrontOptions, frontConfig, frontOrigins, startFront } from './front.js';
export { type NatsCluster, type NatsClusterOptions, startNatsCluster } from './nats-cluster.js';
export { type NatsServer, type NatsServerOptions, startNatsServer } from './nats-server.js';
export { repoRoot, type ServiceName, serviceScript } from './paths.js';
export { freePort, portAccepts } from './ports.js';
export { ServiceProcess, type ServiceProcessOptions } from './service-process.js';
export { Stack, type StackOptions } from './stack.js';
export { type LogTarget, type ProcessExit, STOP_GRACE_MS, StackProcess } from './stack-process.js';
export { createSuperuser, createSuperuserCommand, type SuperuserOptions } from './superuser.js';
