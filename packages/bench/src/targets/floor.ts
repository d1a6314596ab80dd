import { join } from 'node:path';
import { freePort } from '@chat/test-kit';
import { paths } from '../paths.js';
import { startProcess, stopProcess, waitForPort } from '../processes.js';
import type { Target, TargetOptions } from './target.js';

export async function startFloor(options: TargetOptions): Promise<Target> {
  const port = await freePort();
  const logFile = join(options.logDir, `${options.label}-floor.log`);
  const args = [...profileArgs(options, 'floor'), join(paths.dist, 'floor-server.js'), String(port)];
  const server = startProcess('floor', args, { logFile });
  await waitForPort(server, port, logFile);
  return {
    name: 'floor',
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    wsUrls: [`ws://127.0.0.1:${port}/ws`],
    socketPid: server.pid,
    socketPids: [server.pid],
    natsMonitorUrls: [],
    processes: () => ({ floor: [server.pid] }),
    tokens: Array.from({ length: options.users }, (_, i) => `user${i + 1}`),
    async createRooms(count, prefix) {
      return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
    },
    stop: () => stopProcess(server),
  };
}

export function profileArgs(options: TargetOptions, name: string): string[] {
  return options.profile.has(name)
    ? ['--cpu-prof', `--cpu-prof-dir=${options.logDir}`, `--cpu-prof-name=${options.label}-${name}.cpuprofile`]
    : [];
}
