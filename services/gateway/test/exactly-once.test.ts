/**
 * What "sent" promises, seen from the sockets: a send that names its message id is stored once however often it
 * is sent, and a message announced again by the rooms service (its outbox) reaches each member once.
 */
import { randomUUID } from 'node:crypto';
import { type ChatMessage, RoomEventHeaders, roomSubject, type ServerFrame } from '@chat/protocol';
import { connectNats, headers, type NatsConnection } from '@chat/nats';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './replies.js';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
let nc: NatsConnection;
beforeAll(async () => {
  stack = await startStack();
  nc = await connectNats({ url: stack.natsUrl, name: 'test-rooms-outbox' });
}, 30_000);
afterAll(async () => {
  await nc?.close();
  await stack?.stop();
});

const messagesWith = (frames: ServerFrame[], id: string) =>
  frames.filter((f) => f.type === 'message' && f.message.id === id);

async function rowsWithId(id: string, where: Stack = stack): Promise<number> {
  const client = new pg.Client({ connectionString: where.databaseUrl });
  await client.connect();
  try {
    return (await client.query('SELECT 1 FROM rooms.messages WHERE id = $1', [id])).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

describe('a send with the client’s message id', () => {
  it('is stored once: sending it again answers the same message (seq, createdAt) and announces nothing more', async () => {
    const [alice, bob] = [await stack.user(), await stack.user()];
    const room = await stack.room('Said once');
    const [a, b] = [await stack.socket(alice.token), await stack.socket(bob.token)];
    for (const s of [a, b]) ok(await s.request({ type: 'join', room }));

    const id = randomUUID();
    const first = ok(await a.request({ type: 'send', room, text: 'hello', id })) as ChatMessage;
    expect(first.id).toBe(id);
    const again = ok(await a.request({ type: 'send', room, text: 'hello', id })) as ChatMessage;
    expect(again).toEqual(first);

    const next = ok(await b.request({ type: 'send', room, text: 'next' })) as ChatMessage;
    expect(next.seq).toBe(first.seq + 1);
    for (const s of [a, b]) await s.waitFor((f) => f.type === 'message' && f.message.id === next.id);
    for (const s of [a, b]) expect(messagesWith(s.frames, id)).toHaveLength(1);
    expect(await rowsWithId(id)).toBe(1);
  });

  it('is refused with BAD_REQUEST when the id is taken in another room', async () => {
    const alice = await stack.user();
    const [one, two] = [await stack.room('Id one'), await stack.room('Id two')];
    const s = await stack.socket(alice.token);
    for (const room of [one, two]) ok(await s.request({ type: 'join', room }));
    const id = randomUUID();
    ok(await s.request({ type: 'send', room: one, text: 'here', id }));
    const reply = await s.request({ type: 'send', room: two, text: 'here', id });
    expect(reply.ok ? undefined : reply.error).toMatchObject({
      code: 'BAD_REQUEST',
      message: `message id ${id} is taken by a message in another room; a new message needs a new id`,
    });
    expect(await rowsWithId(id)).toBe(1);
  });

  it('is refused with BAD_REQUEST when the id is not a UUID', async () => {
    const alice = await stack.user();
    const room = await stack.room('Odd ids');
    const s = await stack.socket(alice.token);
    ok(await s.request({ type: 'join', room }));
    const reply = await s.request({ type: 'send', room, text: 'hi', id: 'not-a-uuid' });
    expect(reply.ok ? undefined : reply.error.code).toBe('BAD_REQUEST');
  });
});

describe('a message announced again', () => {
  it('reaches each member once, and not at all a member whose join history held it', async () => {
    const [alice, bob, carol] = [await stack.user(), await stack.user(), await stack.user()];
    const room = await stack.room('Said twice');
    const [a, b] = [await stack.socket(alice.token), await stack.socket(bob.token)];
    for (const s of [a, b]) ok(await s.request({ type: 'join', room }));
    const message = ok(await a.request({ type: 'send', room, text: 'once only' })) as ChatMessage;
    for (const s of [a, b]) await s.waitFor((f) => f.type === 'message' && f.message.id === message.id);
    const c = await stack.socket(carol.token);
    ok(await c.request({ type: 'join', room }));

    // As the outbox of a rooms instance announces a message whose row outlived its first announcement.
    const h = headers();
    h.set(RoomEventHeaders.seq, String(message.seq));
    const event = JSON.stringify({ type: 'message', room, message });
    nc.publish(roomSubject(room), event, { headers: h });
    const later = ok(await b.request({ type: 'send', room, text: 'later' })) as ChatMessage;
    nc.publish(roomSubject(room), event, { headers: h });
    await nc.flush();
    const last = ok(await c.request({ type: 'send', room, text: 'last' })) as ChatMessage;

    for (const s of [a, b, c]) await s.waitFor((f) => f.type === 'message' && f.message.id === last.id);
    for (const s of [a, b]) expect(messagesWith(s.frames, message.id)).toHaveLength(1);
    expect(messagesWith(c.frames, message.id)).toEqual([]);
    for (const s of [a, b, c]) expect(messagesWith(s.frames, later.id)).toHaveLength(1);
  });
});

describe('a send whose first outcome was UNAVAILABLE', () => {
  // Its own stack: a short request timeout, so a store held up by a lock outlasts every try of the gateway.
  let slow: Stack;
  beforeAll(async () => {
    slow = await startStack({ gatewayEnv: { REQUEST_TIMEOUT_MS: '400' } });
  }, 30_000);
  afterAll(async () => {
    await slow?.stop();
  });

  it('was stored all the same; sent again under its id it answers that message, and members get it once', async () => {
    const [alice, bob] = [await slow.user(), await slow.user()];
    const room = await slow.room('Unsure');
    const [a, b] = [await slow.socket(alice.token), await slow.socket(bob.token)];
    for (const s of [a, b]) ok(await s.request({ type: 'join', room }));

    // A lock on the messages table holds the store past the gateway's timeout; the insert waits, then lands.
    const blocker = new pg.Client({ connectionString: slow.databaseUrl });
    await blocker.connect();
    const id = randomUUID();
    let first: Awaited<ReturnType<typeof a.request>>;
    try {
      await blocker.query('BEGIN; LOCK TABLE rooms.messages IN ACCESS EXCLUSIVE MODE');
      first = await a.request({ type: 'send', room, text: 'did it go?', id });
      await blocker.query('COMMIT');
    } finally {
      await blocker.end();
    }
    expect(first.ok ? undefined : first.error.code).toBe('UNAVAILABLE');

    // The web client's retry: the same id, answered with the message the first try stored.
    await b.waitFor((f) => f.type === 'message' && f.message.id === id);
    const again = ok(await a.request({ type: 'send', room, text: 'did it go?', id })) as ChatMessage;
    expect(again.id).toBe(id);
    const next = ok(await b.request({ type: 'send', room, text: 'it did' })) as ChatMessage;
    expect(next.seq).toBe(again.seq + 1);
    for (const s of [a, b]) await s.waitFor((f) => f.type === 'message' && f.message.id === next.id);
    for (const s of [a, b]) expect(messagesWith(s.frames, id)).toHaveLength(1);
    expect(await rowsWithId(id, slow)).toBe(1);
  });
});
