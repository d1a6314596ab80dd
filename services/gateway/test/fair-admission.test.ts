/**
 * Fair admission on a real stack: a flood from one address waits behind itself, a user at the cap and a
 * forged token cost no lookup at auth. Orders and counts are asserted, never milliseconds; how fast the
 * door stays is measured by packages/bench (admission-flood).
 */
import { connect, type Socket } from 'node:net';
import { connectNats, type NatsConnection } from '@chat/nats';
import { Subjects } from '@chat/protocol';
import { forgedTokens, HandshakeRefused, openSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

/** Linux routes all of 127/8 to the loopback interface: a second client address without a second host. */
const FLOOD_ADDRESS = '127.0.0.2';
const OTHER_ADDRESS = '127.0.0.1';
const CAP = 3;
const PER_ADDRESS_QUEUE = 20;

let stack: Stack;
let nc: NatsConnection;
beforeAll(async () => {
  stack = await startStack({
    gatewayEnv: {
      // One handshake checked at a time: whoever else knocks meanwhile waits, so the order of turns shows.
      HANDSHAKES_CONCURRENT: '1',
      HANDSHAKE_QUEUE_MAX_PER_ADDRESS: String(PER_ADDRESS_QUEUE),
      MAX_CONNECTIONS_PER_USER: String(CAP),
    },
  });
  nc = await connectNats({ url: stack.natsUrl, name: 'test-observer' });
});
afterAll(async () => {
  await nc?.drain();
  await stack?.stop();
});

interface Answer {
  status: number;
  head: string;
}

/** A TCP connection from `localAddress` to the gateway, connected, its upgrade request not yet written. */
function connectFrom(localAddress: string): Promise<Socket> {
  const { hostname, port } = new URL(stack.base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes a WebSocket upgrade with the bearer token; resolves with the status line and headers of the answer. */
function upgrade(socket: Socket, token: string, onAnswer: (answer: Answer) => void): Promise<Answer> {
  const { host } = new URL(stack.base);
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const head = received.slice(0, end);
      const answer = { status: Number(head.split(' ')[1]), head };
      onAnswer(answer);
      resolve(answer);
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error('closed before an answer')));
  });
}

/** Requests for a user lookup at auth, seen on the bus while `during` runs (a plain subscriber: it only watches). */
async function lookupsDuring(during: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const sub = nc.subscribe(Subjects.auth.userGet, {
    callback: (_err, msg) => seen.push((msg.json() as { id: string }).id),
  });
  await nc.flush();
  await during();
  // Whatever the gateway asked has reached the server (and so this subscriber) by the time its own flush returns.
  await nc.flush();
  sub.unsubscribe();
  return seen;
}

describe('fair admission', () => {
  it('lets a connect from another address in next while a flood from one address still waits, and refuses the flood beyond its queue', async () => {
    // Valid tokens (a lookup each, so the checks take turns that last), a few per user to stay under the cap.
    const flooders = await Promise.all(Array.from({ length: 20 }, () => stack.user()));
    const floodTokens = flooders.flatMap((u) => Array.from({ length: CAP }, () => u.token));
    const victim = await stack.user();

    const floodSockets = await Promise.all(floodTokens.map(() => connectFrom(FLOOD_ADDRESS)));
    const victimSocket = await connectFrom(OTHER_ADDRESS);
    await new Promise((resolve) => setTimeout(resolve, 50)); // every connection accepted by the gateway

    // Every request written in the same turn, the flood's first: under first come, first served the victim
    // would be let in after all of them.
    const order: string[] = [];
    const flood = floodSockets.map((s, i) =>
      upgrade(s, floodTokens[i] as string, (a) => order.push(a.status === 101 ? 'flood in' : 'flood refused')),
    );
    const victimAnswer = upgrade(victimSocket, victim.token, () => order.push('victim in'));
    const answers = await Promise.all(flood);

    expect((await victimAnswer).status).toBe(101);
    const refused = answers.filter((a) => a.status !== 101);
    expect(refused.length).toBeGreaterThan(0);
    expect(answers.length - refused.length).toBeLessThanOrEqual(1 + PER_ADDRESS_QUEUE);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.head).toMatch(/\r\nRetry-After: 1/i);
    }
    const victimAt = order.indexOf('victim in');
    // The handshake being checked when the victim arrived, and at most one more: its queue's turn in the round.
    expect(order.slice(0, victimAt).filter((o) => o === 'flood in').length).toBeLessThanOrEqual(2);
    // ...while the flood's handshakes were still waiting.
    expect(order.slice(victimAt).filter((o) => o === 'flood in').length).toBeGreaterThan(0);

    for (const s of [...floodSockets, victimSocket]) s.destroy();
  });

  it('refuses a user at the cap with 429 before asking auth about them', async () => {
    const user = await stack.user();
    const open = await Promise.all(Array.from({ length: CAP }, () => stack.socket(user.token)));
    const outcomes: unknown[] = [];
    const lookups = await lookupsDuring(async () => {
      for (let i = 0; i < 5; i++) outcomes.push(await openSocket(stack.wsUrl, { token: user.token }).catch((e) => e));
    });
    for (const outcome of outcomes) {
      expect(outcome).toBeInstanceOf(HandshakeRefused);
      expect((outcome as HandshakeRefused).status).toBe(429);
      expect(JSON.parse((outcome as HandshakeRefused).body)).toMatchObject({ code: 'RATE_LIMITED' });
    }
    expect(lookups.filter((id) => id === user.id)).toEqual([]);
    // Below the cap again, the next connect is looked up and let in.
    await open[0]?.close();
    const again = await lookupsDuring(async () => {
      await stack.socket(user.token);
    });
    expect(again).toContain(user.id);
  });

  it('never asks auth about a token whose signature does not verify', async () => {
    const user = await stack.user();
    // The forgeries signed with the real key are left out: their signature is good, so a lookup is their due.
    const forged = forgedTokens(user.token, stack.keys).filter(([what]) => !what.startsWith('the right key'));
    const statuses: number[] = [];
    const lookups = await lookupsDuring(async () => {
      for (const [, token] of forged) {
        const socket = await connectFrom(FLOOD_ADDRESS);
        statuses.push((await upgrade(socket, token, () => {})).status);
        socket.destroy();
      }
    });
    expect(statuses).toEqual(forged.map(() => 401));
    expect(lookups).toEqual([]);
  });
});
