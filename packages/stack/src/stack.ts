/**
 * A whole stack as processes: nats-server (its own, a cluster of its own, or one given), Postgres (embedded, or one
 * given), then auth and rooms, then the gateways. Stopping goes the other way round, each stage finished before the next: the gateways
 * first (clients are told to reconnect, and their leave notices still reach rooms), then auth and rooms (requests
 * in flight finish), and only then nats-server and the databases they were using. With a front, nginx goes after the
 * gateways (their goodbyes to clients pass through it).
 */
import { type Databases, type DatabaseOptions, startDatabases } from './databases.js';
import { type Front, frontOrigins, startFront } from './front.js';
import { type NatsCluster, type NatsClusterOptions, startNatsCluster } from './nats-cluster.js';
import type { NatsCredentials } from './nats-credentials.js';
import { type NatsServer, type NatsServerOptions, startNatsServer } from './nats-server.js';
import type { ServiceName } from './paths.js';
import { freePort } from './ports.js';
import { ServiceProcess, type ServiceProcessOptions } from './service-process.js';
import type { LogTarget } from './stack-process.js';
import { createSuperuser } from './superuser.js';

export interface StackOptions {
  /** A running server's URL, or how to run one of the stack's own (the default: plain, on a free port). */
  nats?: { url: string } | NatsServerOptions;
  /**
   * A NATS cluster of the stack's own instead (nodes on loopback). Each service is given one node's URL, and learns
   * the others from it: gateway N connects to node N, and rooms and auth instances are spread over the nodes too.
   */
  natsCluster?: NatsClusterOptions;
  /** When given, each service connects as its own user of deploy/nats-server.conf. */
  natsCredentials?: NatsCredentials;
  database: DatabaseOptions;
  /** Where each process's output goes, by its label (auth, rooms-1, gateway-2, nats-server). */
  logs: LogTarget | ((label: string) => LogTarget);
  /** The base of every service's environment; nothing of the launcher's own unless given here. */
  env?: Record<string, string>;
  authEnv?: Record<string, string>;
  roomsEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  /** How many auth and rooms instances (each service one NATS queue group) and gateways; one each by default. */
  auth?: number;
  rooms?: number;
  gateways?: number;
  /** The first gateway's port (what a browser opens); a free one by default. */
  gatewayPort?: number;
  /**
   * The front (deploy/front/nginx.conf, Debian's nginx) before the gateways, on this port or a free one: what a
   * browser opens then. The gateways' ALLOWED_ORIGINS name it, unless gatewayEnv says otherwise. It serves
   * webRoot, web/dist of the checkout by default.
   */
  front?: { port?: number; webRoot?: string };
  authPort?: number;
  roomsPort?: number;
  /** Extra arguments to node for a service (e.g. --cpu-prof for the bench). */
  nodeArgs?: (label: string) => string[];
  detached?: boolean;
  ipc?: boolean;
}

export class Stack {
  readonly rooms: ServiceProcess[] = [];
  readonly gateways: ServiceProcess[] = [];
  readonly auths: ServiceProcess[] = [];
  private frontProcess: Front | undefined;
  private frontPort: number | undefined;
  nats: NatsServer | { url: string } | undefined;
  /** The cluster this stack runs, when it runs one (a test may kill its nodes). */
  natsCluster: NatsCluster | undefined;
  databases: Databases | undefined;
  private stopping: Promise<void> | undefined;
  /** How many of each service were started so far: the next one's number. */
  private readonly started: Record<ServiceName, number> = { auth: 0, rooms: 0, gateway: 0 };
  private readonly ordinals = new Map<ServiceProcess, number>();

  private constructor(private readonly options: StackOptions) {}

  /** Starts everything and resolves once every service is ready; on a failure, stops what had started. */
  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack(options);
    try {
      await stack.startAll();
    } catch (err) {
      await stack.stop();
      throw err;
    }
    return stack;
  }

  /** A stack to start with `startAll()`, for a launcher that may have to stop it while it is still starting. */
  static create(options: StackOptions): Stack {
    return new Stack(options);
  }

  async startAll(): Promise<void> {
    const { options } = this;
    if (options.natsCluster) this.natsCluster = await startNatsCluster(this.natsClusterOptions(options.natsCluster));
    else this.nats = options.nats && 'url' in options.nats ? options.nats : await startNatsServer(this.natsOptions());
    this.databases = await startDatabases(options.database);
    if (this.stopping) return;
    const authPort = options.authPort ?? (await freePort());
    const roomsPort = options.roomsPort ?? (await freePort());
    if (options.front) this.frontPort = options.front.port ?? (await freePort());
    // auth and the first rooms instance migrate different schemas, so they may start together; further
    // instances wait for their first one's migration, and the gateways for all of them (each gateway forwards
    // REST to one instance of each, spread over them).
    await allStarted([this.startService('auth', authPort), this.startService('rooms', roomsPort)]);
    await allStarted([
      ...Array.from({ length: (options.auth ?? 1) - 1 }, () => this.addAuth()),
      ...Array.from({ length: (options.rooms ?? 1) - 1 }, () => this.addRooms()),
    ]);
    await allStarted(
      Array.from({ length: options.gateways ?? 1 }, (_, i) =>
        this.startService('gateway', i === 0 ? options.gatewayPort : undefined),
      ),
    );
    if (this.frontPort !== undefined && !this.stopping) {
      this.frontProcess = await startFront({
        gateways: this.gateways.map((g) => g.url),
        port: this.frontPort,
        ...(options.front?.webRoot ? { webRoot: options.front.webRoot } : {}),
        logs: typeof options.logs === 'function' ? options.logs('front') : options.logs,
        detached: options.detached ?? false,
      });
      // A stop that began while it was starting would otherwise miss it.
      if (this.stopping) await this.frontProcess.stop();
    }
  }

  /** The front, when the stack has one: where a browser goes then. */
  get front(): Front {
    if (!this.frontProcess) throw new Error('the stack has no front');
    return this.frontProcess;
  }

  /** The first auth instance. */
  get auth(): ServiceProcess {
    const auth = this.auths[0];
    if (!auth) throw new Error('the stack has not started auth');
    return auth;
  }

  /** The nats-server this stack runs, when it runs one (a test may restart it). */
  get natsServer(): NatsServer | undefined {
    return this.nats && 'stop' in this.nats ? this.nats : undefined;
  }

  /** The server's URL; a cluster's every node, comma-separated. */
  get natsUrl(): string {
    const nats = this.natsCluster ?? this.nats;
    if (!nats) throw new Error('the stack has not started');
    return nats.url;
  }

  /** The first gateway: where a browser or a client goes. */
  get gatewayUrl(): string {
    const gateway = this.gateways[0];
    if (!gateway) throw new Error('the stack has no gateway yet');
    return gateway.url;
  }

  /** The auth database: where the first admin is made. */
  get authDatabaseUrl(): string {
    if (!this.databases) throw new Error('the stack has not started');
    return this.databases.urls.auth;
  }

  /** With a NATS cluster, the node a service process was given (it may have failed over to another since). */
  natsNodeOf(service: ServiceProcess): NatsServer | undefined {
    const index = this.ordinals.get(service);
    return index === undefined ? undefined : this.natsNodeAt(service.service, index);
  }

  /** Starts one more auth instance in the queue group. */
  addAuth(): Promise<ServiceProcess> {
    return this.startService('auth');
  }

  /** Starts one more rooms instance in the queue group. */
  addRooms(): Promise<ServiceProcess> {
    return this.startService('rooms');
  }

  /** Starts one more gateway. */
  addGateway(): Promise<ServiceProcess> {
    return this.startService('gateway');
  }

  /** Every service process, auth first. */
  services(): ServiceProcess[] {
    return [...this.auths, ...this.rooms, ...this.gateways];
  }

  /** Every service's output, labelled, when logs go to memory: what a failing test prints. */
  logs(): string {
    return this.services()
      .map((p) => `===== ${p.label} =====\n${p.logs()}`)
      .join('\n');
  }

  /** An admin + staff account, made by the auth service's createsuperuser command as an operator would. */
  createSuperuser(username: string, password: string): Promise<void> {
    return createSuperuser({ databaseUrl: this.authDatabaseUrl, username, password });
  }

  /** Stops in order (see the top of this file); calling it again waits for the same stop. */
  stop(onStage?: (stopped: string) => void): Promise<void> {
    this.stopping ??= this.stopInOrder(onStage ?? (() => {}));
    return this.stopping;
  }

  private async stopInOrder(onStage: (stopped: string) => void): Promise<void> {
    const stopAll = async (processes: ServiceProcess[]) => {
      const running = processes.filter((p) => p.running);
      if (running.length === 0) return;
      await Promise.all(running.map((p) => p.stop()));
      onStage(running.map((p) => p.label).join(' and '));
    };
    await stopAll(this.gateways);
    if (this.frontProcess) {
      const running = this.frontProcess.process.running;
      // Also when nginx has died: its folder goes.
      await this.frontProcess.stop();
      if (running) onStage('front');
    }
    await stopAll([...this.auths, ...this.rooms]);
    const nats = this.natsServer;
    if (nats?.running) {
      await nats.stop();
      onStage('nats-server');
    }
    const cluster = this.natsCluster;
    if (cluster?.nodes.some((node) => node.running)) {
      await cluster.stop();
      onStage('the NATS cluster');
    }
    await this.databases?.stop();
    if (this.databases?.embedded) onStage('embedded Postgres');
  }

  private async startService(service: ServiceName, port?: number): Promise<ServiceProcess> {
    const { options } = this;
    const index = this.started[service]++;
    const env =
      service === 'auth' ? this.authEnv(index) : service === 'rooms' ? this.roomsEnv(index) : this.gatewayEnv(index);
    // rooms-2, gateway-1 …; the bare name when the stack has only one of it (as `npm start` does).
    const count = { auth: options.auth, rooms: options.rooms, gateway: options.gateways }[service];
    const label = (count ?? 1) === 1 && index === 0 ? service : `${service}-${index + 1}`;
    const start: ServiceProcessOptions = {
      service,
      label,
      env,
      ...(port !== undefined ? { port } : {}),
      logs: typeof options.logs === 'function' ? options.logs(label) : options.logs,
      nodeArgs: options.nodeArgs?.(label) ?? [],
      detached: options.detached ?? false,
      ipc: options.ipc ?? false,
    };
    const proc = await ServiceProcess.start(start);
    // In the order they were asked for (gateway-1 first), not the order they happened to become ready in.
    this.ordinals.set(proc, index);
    const list = { auth: this.auths, rooms: this.rooms, gateway: this.gateways }[service];
    list.splice(list.filter((p) => (this.ordinals.get(p) ?? 0) < index).length, 0, proc);
    // A stop that began while this one was starting would otherwise miss it.
    if (this.stopping) await proc.stop();
    return proc;
  }

  private natsOptions(): NatsServerOptions {
    const own: NatsServerOptions = this.options.nats && !('url' in this.options.nats) ? this.options.nats : {};
    const logs = typeof this.options.logs === 'function' ? this.options.logs('nats-server') : this.options.logs;
    // nats-server's own log says little a person starting the stack needs in the terminal.
    return {
      ...own,
      logs: own.logs ?? (logs === 'inherit' ? 'memory' : logs),
      detached: own.detached ?? this.options.detached ?? false,
    };
  }

  private natsClusterOptions(own: NatsClusterOptions): NatsClusterOptions {
    const { logs } = this.options;
    return {
      ...own,
      logs: own.logs ?? ((label) => (typeof logs === 'function' ? logs(label) : logs === 'inherit' ? 'memory' : logs)),
      detached: own.detached ?? this.options.detached ?? false,
    };
  }

  /**
   * The NATS URL the `index`th instance of a service is given: with a cluster, one node's, so that the services
   * are spread over the nodes (gateway N on node N; rooms from the second node on, auth from the third), and what
   * crosses between them goes over the routes as it would between machines.
   */
  private natsUrlFor(service: ServiceName, index: number): string {
    return this.natsNodeAt(service, index)?.url ?? this.natsUrl;
  }

  private natsNodeAt(service: ServiceName, index: number): NatsServer | undefined {
    const nodes = this.natsCluster?.nodes;
    if (!nodes) return undefined;
    const first = { gateway: 0, rooms: 1, auth: 2 }[service];
    return nodes[(first + index) % nodes.length];
  }

  private common(service: ServiceName, index: number): Record<string, string> {
    const { databases } = this;
    const credentials = this.options.natsCredentials;
    return {
      ...this.options.env,
      NATS_URL: this.natsUrlFor(service, index),
      ...(credentials ? { NATS_USER: service, NATS_PASS: credentials[service] } : {}),
      // The embedded database serves one session at a time: more connections would only take turns.
      ...(databases?.embedded ? { DATABASE_POOL_MAX: this.options.env?.DATABASE_POOL_MAX ?? '1' } : {}),
    };
  }

  private authEnv(index: number): Record<string, string> {
    return { ...this.common('auth', index), DATABASE_URL: this.authDatabaseUrl, ...this.options.authEnv };
  }

  private roomsEnv(index: number): Record<string, string> {
    const url = this.databases?.urls.rooms ?? '';
    return { ...this.common('rooms', index), DATABASE_URL: url, ...this.options.roomsEnv };
  }

  private gatewayEnv(index: number): Record<string, string> {
    // REST goes over HTTP, not NATS: every gateway spreads it over all instances of each service, starting
    // from its own index so that first requests do not all land on the first instance.
    const auth = rotated(this.auths, index).map((s) => s.url);
    const rooms = rotated(this.rooms, index).map((s) => s.url);
    return {
      ...this.common('gateway', index),
      ...(auth.length > 0 ? { AUTH_URL: auth.join(',') } : {}),
      ...(rooms.length > 0 ? { ROOMS_URL: rooms.join(',') } : {}),
      ...(this.frontPort !== undefined ? { ALLOWED_ORIGINS: frontOrigins(this.frontPort).join(',') } : {}),
      ...this.options.gatewayEnv,
    };
  }
}

/** The list starting at its `start`th item (modulo its length), wrapping around. */
function rotated<T>(items: T[], start: number): T[] {
  const at = items.length === 0 ? 0 : start % items.length;
  return [...items.slice(at), ...items.slice(0, at)];
}

/** Waits for every start to end, so that none is left running unseen, and fails with the first failure. */
async function allStarted(starts: Promise<ServiceProcess>[]): Promise<void> {
  const outcomes = await Promise.allSettled(starts);
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
}
