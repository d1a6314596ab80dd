/**
 * Keeping the load generator off the servers' cores. On a small machine the generator, the servers and Postgres
 * compete for the same cores, and what a held rate then mostly measures is the scheduler: the stack's five
 * processes are starved before the floor's one. Pinned, the server side (floor or stack, and the Postgres
 * backends serving the bench's database) runs on one set of CPUs and the generator (its workers and this
 * process) on another, the same split for floor and stack, so their figures compare. `taskset` (util-linux)
 * does the pinning; each measured step pins the target's processes again, as Postgres starts backends as
 * connections come.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface PinPlan {
  /** CPU list (taskset syntax) for the servers and Postgres. */
  server: string;
  /** CPU list for the generator processes and the bench itself. */
  generator: string;
}

/** The split for `cpus` CPUs: a quarter (at least one) for the generator, the rest for the servers; none below 2. */
export function pinPlan(cpus: number): PinPlan | null {
  if (cpus < 2) return null;
  const generatorCpus = Math.max(1, Math.floor(cpus / 4));
  const firstGenerator = cpus - generatorCpus;
  const range = (from: number, to: number) => (from === to ? String(from) : `${from}-${to}`);
  return { server: range(0, firstGenerator - 1), generator: range(firstGenerator, cpus - 1) };
}

export class Pinning {
  private constructor(readonly plan: PinPlan | null) {}

  /** `mode` off: no pinning; auto: pinned when the machine has two or more CPUs and taskset is there. */
  static create(mode: 'auto' | 'off'): Pinning {
    if (mode === 'off' || !tasksetWorks()) return new Pinning(null);
    return new Pinning(pinPlan(availableParallelism()));
  }

  /** In words, for the report. */
  describe(): string {
    return this.plan
      ? `pinned: servers and Postgres on CPU ${this.plan.server}, generator on CPU ${this.plan.generator}`
      : 'not pinned: generator, servers and Postgres share every CPU';
  }

  server(pids: Iterable<number>): void {
    if (this.plan) for (const pid of pids) pin(pid, this.plan.server);
  }

  generator(pids: Iterable<number>): void {
    if (this.plan) for (const pid of pids) pin(pid, this.plan.generator);
  }
}

function pin(pid: number, cpus: string): void {
  try {
    // -a: every thread, libuv's pool and V8's helpers included.
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
  } catch {
    // The process ended meanwhile (a Postgres backend that closed): nothing to pin.
  }
}

function tasksetWorks(): boolean {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
