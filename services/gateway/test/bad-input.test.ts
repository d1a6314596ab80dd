import { SESSION_COOKIE } from '@chat/protocol';
import { HandshakeRefused, openSocket, type TestSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
let room: string;
let bystander: TestSocket;
let token: string;
beforeAll(async () => {
  stack = await startStack({ gatewayEnv: { MAX_CONNECTIONS_PER_USER: '100' } });
  room = await stack.room('Calm');
  const watcher = await stack.user();
  bystander = await stack.socket(watcher.token);
  await bystander.request({ type: 'join', room });
  token = (await stack.user()).token;
});
afterAll(() => stack?.stop());

/** Sends raw text and returns the error reply it got (every bad frame gets exactly one). */
async function errorFor(s: TestSocket, raw: string) {
  const mark = s.frames.length;
  s.sendRaw(raw);
  const reply = await s.waitFor((f) => f.type === 'reply', 5000, mark);
  if (reply.type !== 'reply' || reply.ok) throw new Error(`expected an error reply, got ${JSON.stringify(reply)}`);
  return reply;
}

const cases: [string, string, string][] = [
  ['malformed JSON', '{"type":"join",', 'BAD_REQUEST'],
  ['a JSON array', '[1,2,3]', 'BAD_REQUEST'],
  ['a JSON string', '"join"', 'BAD_REQUEST'],
  ['null', 'null', 'BAD_REQUEST'],
  ['no type', '{"ref":"x"}', 'BAD_REQUEST'],
  ['an unknown type', '{"type":"explode","ref":"x"}', 'BAD_REQUEST'],
  ['a numeric type', '{"type":7,"ref":"x"}', 'BAD_REQUEST'],
  ['a missing ref', '{"type":"ping"}', 'BAD_REQUEST'],
  ['a numeric ref', '{"type":"ping","ref":5}', 'BAD_REQUEST'],
  ['text of the wrong type', '{"type":"send","room":"calm","text":42,"ref":"x"}', 'BAD_REQUEST'],
  ['an unknown field', '{"type":"ping","ref":"x","extra":1}', 'BAD_REQUEST'],
  ['a __proto__ key', '{"type":"ping","ref":"x","__proto__":{"admin":true}}', 'BAD_REQUEST'],
  ['room ">"', '{"type":"join","room":">","ref":"x"}', 'ROOM_INVALID'],
  ['room "*"', '{"type":"join","room":"*","ref":"x"}', 'ROOM_INVALID'],
  ['room "a.b"', '{"type":"join","room":"a.b","ref":"x"}', 'ROOM_INVALID'],
  ['an empty room', '{"type":"join","room":"","ref":"x"}', 'ROOM_INVALID'],
  ['a 10 kB room id', JSON.stringify({ type: 'join', room: 'a'.repeat(10_000), ref: 'x' }), 'ROOM_INVALID'],
  ['a room that does not exist', '{"type":"join","room":"nowhere","ref":"x"}', 'ROOM_INVALID'],
  ['history limit of a million', '{"type":"history","room":"calm","limit":1000000,"ref":"x"}', 'BAD_REQUEST'],
  ['a negative before', '{"type":"history","room":"calm","before":-1,"ref":"x"}', 'BAD_REQUEST'],
];

describe('bad input on the socket', () => {
  it.each(cases)('%s gets an error reply and the socket keeps working', async (_name, raw, code) => {
    const s = await stack.socket(token);
    const reply = await errorFor(s, raw);
    expect(reply.error.code).toBe(code);
    const pong = await s.request({ type: 'ping' });
    expect(pong.ok).toBe(true);
  });

  it('echoes the ref of a bad frame when it can read it', async () => {
    const s = await stack.socket(token);
    const reply = await errorFor(s, '{"type":"join","room":"a.b","ref":"mine"}');
    expect(reply.ref).toBe('mine');
  });

  it('refuses empty text with BAD_REQUEST and 4001 characters with MESSAGE_TOO_LONG', async () => {
    const s = await stack.socket(token);
    await s.request({ type: 'join', room });
    const empty = await s.request({ type: 'send', room, text: '   ' });
    expect(!empty.ok && empty.error.code).toBe('BAD_REQUEST');
    const long = await s.request({ type: 'send', room, text: 'x'.repeat(4001) });
    expect(!long.ok && long.error.code).toBe('MESSAGE_TOO_LONG');
    const emoji = await s.request({ type: 'send', room, text: '😀'.repeat(4000) });
    expect(emoji.ok).toBe(true);
  });

  it('answers a binary frame with BAD_REQUEST', async () => {
    const s = await stack.socket(token);
    const mark = s.frames.length;
    s.sendRaw(Buffer.from([1, 2, 3]), true);
    const reply = await s.waitFor((f) => f.type === 'reply', 5000, mark);
    expect(reply.type === 'reply' && !reply.ok && reply.error.code).toBe('BAD_REQUEST');
  });

  it('closes a socket that sends a frame over the size limit with 1009, and only that socket', async () => {
    const s = await stack.socket(token);
    s.sendRaw(JSON.stringify({ type: 'send', room, text: 'x'.repeat(40_000), ref: 'big' }));
    const closed = await s.closed;
    expect(closed.code).toBe(1009);
    expect((await bystander.request({ type: 'ping' })).ok).toBe(true);
  });

  it('leaves the other sockets untouched through all of it', async () => {
    const writer = await stack.user();
    const w = await stack.socket(writer.token);
    await w.request({ type: 'join', room });
    await w.request({ type: 'send', room, text: 'all is well' });
    await bystander.waitFor((f) => f.type === 'message' && f.message.text === 'all is well');
    expect(bystander.ws.readyState).toBe(bystander.ws.OPEN);
  });
});

describe('the handshake', () => {
  it('answers 401 and opens no socket without a token or with a bad one', async () => {
    await expect(openSocket(stack.wsUrl)).rejects.toMatchObject({ status: 401 });
    await expect(openSocket(stack.wsUrl, { token: 'not.a.token' })).rejects.toBeInstanceOf(HandshakeRefused);
    await expect(openSocket(stack.wsUrl, { token: `${token.slice(0, -3)}abc` })).rejects.toMatchObject({ status: 401 });
  });

  it('accepts the session cookie from an allowed origin and refuses it from a foreign one', async () => {
    const cookie = `${SESSION_COOKIE}=${token}`;
    const s = await openSocket(stack.wsUrl, { cookie, origin: 'http://chat.test' });
    expect((await s.request({ type: 'ping' })).ok).toBe(true);
    s.ws.terminate();
    await expect(openSocket(stack.wsUrl, { cookie, origin: 'http://evil.example' })).rejects.toMatchObject({
      status: 403,
    });
    await expect(openSocket(stack.wsUrl, { cookie })).rejects.toMatchObject({ status: 403 });
  });
});
