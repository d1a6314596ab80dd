/** What a scenario drives: the floor server or the whole stack, started fresh and stopped after. */
export interface Target {
  readonly name: TargetName;
  readonly wsUrl: string;
  /** The process that holds the sockets (the floor server, or the gateway): its RSS is what idle measures. */
  readonly socketPid: number;
  /** Bearer tokens, dealt round-robin to the clients. */
  readonly tokens: string[];
  createRooms(count: number, prefix: string): Promise<string[]>;
  /** The processes doing the target's work, by part (gateway, rooms, postgres, …), for CPU accounting. */
  processes(): Record<string, number[]>;
  /** Messages in the store; only the stack has one. */
  storedMessages?(): Promise<number>;
  stop(): Promise<void>;
}

export type TargetName = 'floor' | 'stack';

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
