/** Child processes the bench starts and measures: spawn with a log file, wait for the port, read RSS, stop. */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { sleep } from './clock.js';

export interface Service {
  name: string;
  child: ChildProcess;
  pid: number;
}

export function startProcess(
  name: string,
  args: string[],
  options: { env?: Record<string, string>; logFile: string },
): Service {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return { name, child, pid: child.pid };
}

export async function waitForPort(service: Service, port: number, logFile: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) {
      throw new Error(`${service.name} exited at start:\n${tail(logFile)}`);
    }
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`${service.name} did not listen on ${port} within ${timeoutMs} ms:\n${tail(logFile)}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, 'utf8').slice(-chars);
  } catch {
    return '(no log)';
  }
}

/** Resident set size of a process in bytes (VmRSS from /proc). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** SIGTERM (graceful, so --cpu-prof profiles get written), SIGKILL after `graceMs`. */
export function stopProcess(service: Service, graceMs = 15_000): Promise<void> {
  const { child } = service;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** CPU time (user + system) a process has used so far, in ms; 0 once it is gone. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** USER_HZ: 100 on every Linux the bench runs on. */
const CLOCK_TICKS = 100;

/** Pids whose command line contains `needle` (e.g. the Postgres backends serving one database). */
export function pidsMatching(needle: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU ms used so far by each pid of each named part of a target. */
export type CpuSnapshot = Record<string, Record<number, number>>;

export function cpuSnapshot(parts: Record<string, number[]>): CpuSnapshot {
  const snapshot: CpuSnapshot = {};
  for (const [name, pids] of Object.entries(parts)) {
    const byPid: Record<number, number> = {};
    for (const pid of pids) byPid[pid] = cpuMsOf(pid);
    snapshot[name] = byPid;
  }
  return snapshot;
}

/** CPU ms each part used between two snapshots (a pid born in between counts from zero). */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  const used: Record<string, number> = {};
  for (const [name, byPid] of Object.entries(after)) {
    let total = 0;
    for (const [pid, ms] of Object.entries(byPid)) total += ms - (before[name]?.[Number(pid)] ?? 0);
    used[name] = Math.max(0, total);
  }
  return used;
}

/** Every process's CPU ms so far and its parent, from /proc. */
export function allProcesses(): Map<number, { cpuMs: number; ppid: number }> {
  const all = new Map<number, { cpuMs: number; ppid: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      all.set(Number(entry), {
        ppid: Number(fields[1]),
        cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS,
      });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/**
 * The share of the machine (0..1 of all cores) that processes other than the bench's own used between two
 * snapshots: the bench's descendants and `ours` (e.g. the Postgres backends serving its database) excluded.
 */
export function othersShare(
  before: Map<number, { cpuMs: number; ppid: number }>,
  after: Map<number, { cpuMs: number; ppid: number }>,
  ours: Set<number>,
  wallMs: number,
  cpus: number,
): number {
  const mine = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 10; hops++) {
      if (p === process.pid || ours.has(p)) return true;
      p = after.get(p)?.ppid ?? before.get(p)?.ppid ?? 0;
    }
    return false;
  };
  let others = 0;
  for (const [pid, { cpuMs }] of after) if (!mine(pid)) others += cpuMs - (before.get(pid)?.cpuMs ?? 0);
  return Math.round((Math.max(0, others) / (wallMs * cpus)) * 100) / 100;
}
