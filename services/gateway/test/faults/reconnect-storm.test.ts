/**
 * A reconnect storm: every client of a gateway loses its socket at once (the gateway restarts) and all come
 * back together. STORM_CLIENTS sets the size (default 300; `npm run storm` runs 2000).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FaultStack,
  percentile,
  printLogsOnFailure,
  reliability,
  sleep,
  startFaultStack,
  wsUrl,
} from './harness.js';
import { ResumingClient } from './resuming-client.js';

const CLIENTS = Number(process.env.STORM_CLIENTS ?? 300);
const USERS = 10;

let stack: FaultStack;
const clients: ResumingClient[] = [];
beforeAll(async () => {
  stack = await startFaultStack({ gatewayEnv: { MAX_CONNECTIONS_PER_USER: String(CLIENTS) } });
}, 60_000);
afterAll(async () => {
  for (const client of clients) await client.stop();
  await stack?.stop();
}, 60_000);
printLogsOnFailure(() => stack?.logs());

describe('reconnect storm', () => {
  it(`all ${CLIENTS} clients of a restarted gateway get back into their rooms`, async () => {
    const gateway = stack.processes.gateways[0]!;
    const rooms = [await stack.room('Storm one'), await stack.room('Storm two'), await stack.room('Storm three')];
    const users = await stack.users(USERS);
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(new ResumingClient(users[i % USERS]!.token, () => [wsUrl(gateway)], 0, rooms, { backoffMs: 100 }));
    }
    await Promise.all(clients.map((c) => c.start()));

    await gateway.kill('SIGTERM');
    await gateway.restart();
    const upAt = Date.now();
    const allBack = () =>
      clients.every((c) => c.disconnects.length > 0 && c.disconnects.at(-1)?.resumedAfterMs !== undefined);
    const deadline = upAt + 60_000;
    while (!allBack() && Date.now() < deadline) await sleep(50);
    const backAfterMs = Date.now() - upAt;

    expect(clients.filter((c) => c.disconnects.at(-1)?.resumedAfterMs === undefined)).toHaveLength(0);
    const resumed = clients.map((c) => c.disconnects.at(-1)?.resumedAfterMs ?? Number.NaN);
    reliability('reconnect storm', {
      clients: CLIENTS,
      roomsEach: rooms.length,
      allBackAfterGatewayUpMs: backAfterMs,
      resumeMsFromDisconnectP50: percentile(resumed, 50),
      resumeMsFromDisconnectP99: percentile(resumed, 99),
    });
  }, 120_000);
});
