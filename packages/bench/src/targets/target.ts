/**
 * What a scenario drives: the floor server, the whole stack, or the stack scaled out (three NATS nodes, a gateway
 * on each), started fresh and stopped after.
 */
export interface Target {
  readonly name: TargetName;
  /** The first socket server's URL. */
  readonly wsUrl: string;
  /** Every socket server's URL (one per gateway): clients are dealt over them round-robin. */
  readonly wsUrls: string[];
  /** The process that holds the sockets (the floor server, or the gateway): its RSS is what idle measures. */
  readonly socketPid: number;
  /** Every process that holds sockets, in the order of `wsUrls`. */
  readonly socketPids: number[];
  /** The NATS nodes' monitoring endpoints (none for the floor): where subscriptions are counted. */
  readonly natsMonitorUrls: string[];
  /** Bearer tokens, dealt round-robin to the clients. */
  readonly tokens: string[];
  createRooms(count: number, prefix: string): Promise<string[]>;
  /** The processes doing the target's work, by part (gateway, rooms, postgres, …), for CPU accounting. */
  processes(): Record<string, number[]>;
  /** Messages in the store; only the stack has one. */
  storedMessages?(): Promise<number>;
  stop(): Promise<void>;
}

export type TargetName = 'floor' | 'stack' | 'cluster';

export interface TargetOptions {
  /** Distinct users to log in; their tokens are reused across connections. */
  users: number;
  /** Folder for the processes' logs (and CPU profiles). */
  logDir: string;
  /** A label for log file names, usually the scenario. */
  label: string;
  /** Services to run with node --cpu-prof (stack: auth, rooms, gateway; floor: floor). */
  profile: Set<string>;
}
