/**
 * Hostile input, one row each: socket frames, raw WebSocket protocol abuse, floods and REST requests. Every row
 * gets its documented answer (an error reply, a close code or an HTTP status), and after every row a bystander
 * in a room still hears a message: the gateway never crashed and the others were not disturbed.
 * bad-input.test.ts has the everyday bad frames; these are the ones an attacker writes.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { isErrorCode, ROOM_ID_PATTERN, type ReplyFrame } from '@chat/protocol';
import type { TestSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack as SecurityStack, startStack as startSecurityStack } from '../stack.js';

let stack: SecurityStack;
let token: string;
let bystander: TestSocket;
let writer: TestSocket;
let alive = 0;
let tried = 0;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

const ROOM = 'calm';
beforeAll(async () => {
  stack = await startSecurityStack();
  expect(await stack.room('Calm')).toBe(ROOM);
  bystander = await stack.socket((await stack.user()).token);
  writer = await stack.socket((await stack.user()).token);
  await bystander.request({ type: 'join', room: ROOM });
  await writer.request({ type: 'join', room: ROOM });
  token = (await stack.user()).token;
}, 60_000);
afterAll(async () => {
  console.log(`[reliability] hostile inputs: ${tried} (frames, protocol abuse, flood frames and REST requests)`);
  await stack?.stop();
});

/** The bystander still hears the room, the gateway still answers, and nothing leaked into Object.prototype. */
async function othersUnaffected(): Promise<void> {
  const text = `still here ${++alive}`;
  const sent = await writer.request({ type: 'send', room: ROOM, text });
  expect(sent.ok).toBe(true);
  await bystander.waitFor((f) => f.type === 'message' && f.message.text === text, 10_000);
  expect(bystander.ws.readyState).toBe(bystander.ws.OPEN);
  expect((await stack.call('GET', '/healthz')).status).toBe(200);
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------------------
// Frames answered with an error reply: [name, raw frame, code, ref echoed (undefined: not checked)]

const nest = (open: string, close: string, depth: number, inner = '0') =>
  open.repeat(depth) + inner + close.repeat(depth);
const frame = (fields: Record<string, string>) =>
  `{${Object.entries(fields)
    .map(([k, v]) => `"${k}":${v}`)
    .join(',')}}`;

// biome-ignore format: one row per input, read as a table
const replyCases: [string, string, string, (string | null)?][] = [
  // malformed and truncated JSON
  ['truncated JSON', '{"type":"ping","ref":"t"', 'BAD_REQUEST', null],
  ['an empty frame', '', 'BAD_REQUEST', null],
  ['whitespace only', ' \n\t ', 'BAD_REQUEST', null],
  ['trailing garbage', '{"type":"ping","ref":"t"}}', 'BAD_REQUEST', null],
  ['two frames in one', '{"type":"ping","ref":"a"}{"type":"ping","ref":"b"}', 'BAD_REQUEST', null],
  ['single quotes', "{'type':'ping','ref':'t'}", 'BAD_REQUEST', null],
  ['a byte order mark', '\uFEFF{"type":"ping","ref":"t"}', 'BAD_REQUEST', null],
  ['a NaN literal', '{"type":"history","room":"calm","limit":NaN,"ref":"t"}', 'BAD_REQUEST', null],
  // huge and odd numbers
  ['limit 1e309 (Infinity)', '{"type":"history","room":"calm","limit":1e309,"ref":"t"}', 'BAD_REQUEST', 't'],
  ['before 2**64', '{"type":"history","room":"calm","before":18446744073709551616,"ref":"t"}', 'BAD_REQUEST', 't'],
  ['before 2**53 + 1', '{"type":"history","room":"calm","before":9007199254740993,"ref":"t"}', 'BAD_REQUEST', 't'],
  ['before 1e-400 (underflows to 0)', '{"type":"history","room":"calm","before":1e-400,"ref":"t"}', 'BAD_REQUEST', 't'],
  ['limit 1.5', '{"type":"history","room":"calm","limit":1.5,"ref":"t"}', 'BAD_REQUEST', 't'],
  ['limit -0', '{"type":"history","room":"calm","limit":-0,"ref":"t"}', 'BAD_REQUEST', 't'],
  ['limit as a string', '{"type":"history","room":"calm","limit":"50","ref":"t"}', 'BAD_REQUEST', 't'],
  // wrong types and unknown types
  ['type as an array', '{"type":["ping"],"ref":"t"}', 'BAD_REQUEST', 't'],
  ['type as an object', '{"type":{"toString":"ping"},"ref":"t"}', 'BAD_REQUEST', 't'],
  ['type "PING"', '{"type":"PING","ref":"t"}', 'BAD_REQUEST', 't'],
  ['type "constructor"', '{"type":"constructor","ref":"t"}', 'BAD_REQUEST', 't'],
  ['type "__proto__"', '{"type":"__proto__","ref":"t"}', 'BAD_REQUEST', 't'],
  ['type "toString"', '{"type":"toString","ref":"t"}', 'BAD_REQUEST', 't'],
  ['type "hasOwnProperty"', '{"type":"hasOwnProperty","ref":"t"}', 'BAD_REQUEST', 't'],
  ['duplicate keys (the last type wins)', '{"type":"ping","ref":"t","type":"join"}', 'ROOM_INVALID', 't'],
  ['text as an object', '{"type":"send","room":"calm","text":{"length":1},"ref":"t"}', 'BAD_REQUEST', 't'],
  ['a thousand unknown fields', frame({ type: '"ping"', ref: '"t"', ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, '1'])) }), 'BAD_REQUEST', 't'],
  // deep nesting within the 32 KiB limit
  ['10k nested arrays as the frame', nest('[', ']', 10_000), 'BAD_REQUEST', null],
  ['10k nested arrays in a field', frame({ type: '"ping"', ref: '"t"', x: nest('[', ']', 10_000) }), 'BAD_REQUEST', 't'],
  ['5k nested objects as the room', frame({ type: '"join"', room: nest('{"a":', '}', 5000), ref: '"t"' }), 'ROOM_INVALID', 't'],
  ['5k nested objects as the text', frame({ type: '"send"', room: '"calm"', text: nest('{"a":', '}', 5000), ref: '"t"' }), 'BAD_REQUEST', 't'],
  ['10k nested arrays as the ref', frame({ type: '"ping"', ref: nest('[', ']', 10_000, '"t"') }), 'BAD_REQUEST', null],
  // prototype pollution
  ['__proto__ nested in a field', '{"type":"ping","ref":"t","x":{"__proto__":{"polluted":true}}}', 'BAD_REQUEST', 't'],
  ['the frame hidden in __proto__', '{"__proto__":{"type":"ping","ref":"t"}}', 'BAD_REQUEST', null],
  ['constructor.prototype at the top', '{"type":"ping","ref":"t","constructor":{"prototype":{"polluted":true}}}', 'BAD_REQUEST', 't'],
  ['prototype at the top', '{"type":"ping","ref":"t","prototype":{"polluted":true}}', 'BAD_REQUEST', 't'],
  ['__proto__ as the room', '{"type":"join","room":{"__proto__":{"polluted":true}},"ref":"t"}', 'ROOM_INVALID', 't'],
  ['__proto__ as the text', '{"type":"send","room":"calm","text":{"__proto__":"x"},"ref":"t"}', 'BAD_REQUEST', 't'],
  // NATS wildcards, dots, spaces and unicode in room ids
  ['room "room.>"', '{"type":"join","room":"room.>","ref":"t"}', 'ROOM_INVALID', 't'],
  ['send to room "calm.>"', '{"type":"send","room":"calm.>","text":"x","ref":"t"}', 'ROOM_INVALID', 't'],
  ['history of room "*"', '{"type":"history","room":"*","ref":"t"}', 'ROOM_INVALID', 't'],
  ['leave room ">"', '{"type":"leave","room":">","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "calm.*"', '{"type":"join","room":"calm.*","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room " calm" (leading space)', '{"type":"join","room":" calm","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "calm room" (inner space)', '{"type":"join","room":"calm room","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "calm\\n" (trailing newline)', '{"type":"join","room":"calm\\n","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "calm\\t>"', '{"type":"join","room":"calm\\t>","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room with a NUL', '{"type":"join","room":"calm\\u0000","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "CALM"', '{"type":"join","room":"CALM","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "cälm"', '{"type":"join","room":"cälm","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room in fullwidth letters', '{"type":"join","room":"ｃａｌｍ","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room with a zero-width space', '{"type":"join","room":"cal\\u200bm","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "_INBOX"', '{"type":"join","room":"_INBOX","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "$SRV"', '{"type":"join","room":"$SRV","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room "../calm"', '{"type":"join","room":"../calm","ref":"t"}', 'ROOM_INVALID', 't'],
  ['room of 65 characters', `{"type":"join","room":"${'a'.repeat(65)}","ref":"t"}`, 'ROOM_INVALID', 't'],
  ['room as a number', '{"type":"join","room":5,"ref":"t"}', 'ROOM_INVALID', 't'],
  ['room as an array', '{"type":"join","room":["calm"],"ref":"t"}', 'ROOM_INVALID', 't'],
  ["room \"calm' OR '1'='1\"", `{"type":"join","room":"calm' OR '1'='1","ref":"t"}`, 'ROOM_INVALID', 't'],
  // refs
  ['a ref of 65 characters', `{"type":"ping","ref":"${'r'.repeat(65)}"}`, 'BAD_REQUEST', null],
  ['a ref of 30 KiB', `{"type":"ping","ref":"${'r'.repeat(30_000)}"}`, 'BAD_REQUEST', null],
  ['an empty ref', '{"type":"ping","ref":""}', 'BAD_REQUEST', ''],
];

// Frames a member sends in the room: control characters and odd text. [name, text, code]
const memberTextCases: [string, string, string][] = [
  ['a NUL character in the text', 'a\u0000b', 'BAD_REQUEST'],
  ['text that is only Unicode whitespace', '\u2028\u2029\u00a0\ufeff\u3000', 'BAD_REQUEST'],
];

// Raw bytes sent as a TEXT frame: invalid UTF-8 closes the socket with 1007 (RFC 6455 §8.1).
const invalidUtf8: [string, Buffer][] = [
  ['bytes 0xff 0xfe', Buffer.from([0xff, 0xfe])],
  [
    'an overlong "/" inside a frame',
    Buffer.concat([Buffer.from('{"type":"ping","ref":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]),
  ],
  [
    'a UTF-8 encoded surrogate',
    Buffer.concat([Buffer.from('{"type":"ping","ref":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
  ],
  [
    'a multibyte character cut short',
    Buffer.concat([Buffer.from('{"type":"ping","ref":"t"}'), Buffer.from([0xe2, 0x82])]),
  ],
  ['a code point above U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
];

async function errorReply(s: TestSocket, raw: string | Buffer, binary = false): Promise<ReplyFrame> {
  const mark = s.frames.length;
  s.sendRaw(raw, binary);
  const reply = await s.waitFor((f) => f.type === 'reply', 10_000, mark);
  return reply as ReplyFrame;
}

describe('hostile frames get an error reply, and the socket keeps working', () => {
  it.each(replyCases)('%s', async (_name, raw, code, ref) => {
    tried++;
    const s = await stack.socket(token);
    const reply = await errorReply(s, raw);
    expect(reply.ok).toBe(false);
    expect(!reply.ok && reply.error.code).toBe(code);
    if (ref !== undefined) expect(reply.ref).toBe(ref);
    expect((await s.request({ type: 'ping' })).ok).toBe(true);
    await s.close();
    await othersUnaffected();
  });

  it.each(memberTextCases)('%s', async (_name, text, code) => {
    tried++;
    const s = await stack.socket(token);
    await s.request({ type: 'join', room: ROOM });
    const reply = await s.request({ type: 'send', room: ROOM, text });
    expect(!reply.ok && reply.error.code).toBe(code);
    await s.close();
    await othersUnaffected();
  });

  it('terminal escapes and control characters are stored and delivered verbatim', async () => {
    tried++;
    const s = await stack.socket(token);
    await s.request({ type: 'join', room: ROOM });
    const text = 'a\u0007\u001b[2J\u001b[31mred\b\u0085\u202eevil\u200db';
    const reply = await s.request({ type: 'send', room: ROOM, text });
    expect(reply.ok && (reply.data as { text: string }).text).toBe(text);
    await bystander.waitFor((f) => f.type === 'message' && f.message.text === text);
    await s.close();
    await othersUnaffected();
  });

  it('a lone surrogate in the text is answered, and the others are unaffected', async () => {
    tried++;
    const s = await stack.socket(token);
    await s.request({ type: 'join', room: ROOM });
    const mark = s.frames.length;
    s.sendRaw('{"type":"send","room":"calm","text":"x\\ud800y","ref":"lone"}');
    const reply = (await s.waitFor((f) => f.type === 'reply' && f.ref === 'lone', 10_000, mark)) as ReplyFrame;
    // Postgres stores UTF-8: the surrogate cannot be kept, it is either refused or replaced by U+FFFD.
    if (reply.ok) expect(['x\ud800y', 'x\ufffdy']).toContain((reply.data as { text: string }).text);
    else expect(reply.error.code).toBe('BAD_REQUEST');
    await s.close();
    await othersUnaffected();
  });

  it.each([
    ['a binary frame holding a valid ping', Buffer.from('{"type":"ping","ref":"t"}')],
    ['an empty binary frame', Buffer.alloc(0)],
  ])('%s is answered with BAD_REQUEST, never executed', async (_name, bytes) => {
    tried++;
    const s = await stack.socket(token);
    const reply = await errorReply(s, bytes, true);
    expect(!reply.ok && reply.error.code).toBe('BAD_REQUEST');
    expect(reply.ref).toBeNull();
    await s.close();
    await othersUnaffected();
  });

  it('a frame of exactly 32 KiB is still read (and refused for its content)', async () => {
    tried++;
    const s = await stack.socket(token);
    const head = '{"type":"ping","ref":"t","pad":"';
    const raw = `${head}${'x'.repeat(32 * 1024 - head.length - 2)}"}`;
    expect(Buffer.byteLength(raw)).toBe(32 * 1024);
    const reply = await errorReply(s, raw);
    expect(!reply.ok && reply.error.code).toBe('BAD_REQUEST');
    await s.close();
    await othersUnaffected();
  });
});

describe('frames that end the socket, and only that socket', () => {
  it.each(invalidUtf8)('invalid UTF-8 in a text frame (%s) closes with 1007', async (_name, bytes) => {
    tried++;
    const s = await stack.socket(token);
    s.sendRaw(bytes, false);
    expect((await s.closed).code).toBe(1007);
    await othersUnaffected();
  });

  it.each([
    ['32 KiB + 1 byte', () => [Buffer.alloc(32 * 1024 + 1, 0x20)]],
    ['1 MiB', () => [Buffer.alloc(1024 * 1024, 0x20)]],
    ['a message in 20 KiB fragments', () => [Buffer.alloc(20_000, 0x20), Buffer.alloc(20_000, 0x20)]],
  ])('a text frame of %s closes with 1009', async (_name, parts) => {
    tried++;
    const s = await stack.socket(token);
    const chunks = parts();
    chunks.forEach((chunk, i) => {
      s.ws.send(chunk, { binary: false, fin: i === chunks.length - 1 });
    });
    expect((await s.closed).code).toBe(1009);
    await othersUnaffected();
  });

  it('a binary frame over 32 KiB closes with 1009', async () => {
    tried++;
    const s = await stack.socket(token);
    s.sendRaw(randomBytes(40_000), true);
    expect((await s.closed).code).toBe(1009);
    await othersUnaffected();
  });
});

// ---------------------------------------------------------------------------------------------------------
// Below the WebSocket library: frames a real client never sends. The server answers RFC 6455's 1002.

/** Opens /ws over a bare TCP socket, writes `bytes` after the handshake and returns the close code sent back. */
async function closeCodeForRawFrame(bytes: Buffer): Promise<number | null> {
  const port = Number(new URL(stack.base).port);
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  let upgraded = false;
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      const all = Buffer.concat(received);
      if (!upgraded) {
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = all.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`no upgrade: ${head.split('\r\n')[0]}`));
        upgraded = true;
        received.length = 0;
        if (all.length > end + 4) received.push(all.subarray(end + 4));
        socket.write(bytes);
      }
    });
    socket.on('close', () => resolve(Buffer.concat(received)));
    socket.on('error', reject);
  });
  socket.write(
    [
      'GET /ws HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      `Authorization: Bearer ${token}`,
      '',
      '',
    ].join('\r\n'),
  );
  const timer = setTimeout(() => socket.destroy(), 10_000);
  const after = await done;
  clearTimeout(timer);
  // The server's close frame: 0x88, a length below 126, then the code.
  const at = after.indexOf(0x88);
  return at >= 0 && after.length >= at + 4 ? after.readUInt16BE(at + 2) : null;
}

const mask = Buffer.from([1, 2, 3, 4]);
const masked = (first: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([first, 0x80 | payload.length]), mask, payload.map((b, i) => b ^ (mask[i % 4] ?? 0))]);

describe('WebSocket protocol abuse closes with 1002', () => {
  it.each([
    ['an unmasked client frame', Buffer.concat([Buffer.from([0x81, 2]), Buffer.from('{}')])],
    ['reserved bit RSV1 without compression', masked(0xc1, Buffer.from('{}'))],
    ['an undefined opcode (0x3)', masked(0x83, Buffer.from('{}'))],
    ['a fragmented ping (control frames may not be fragmented)', masked(0x09, Buffer.from('x'))],
    ['a continuation frame with nothing to continue', masked(0x80, Buffer.from('{}'))],
    ['a close frame with the reserved code 999', masked(0x88, Buffer.from([0x03, 0xe7]))],
  ])('%s', async (_name, bytes) => {
    tried++;
    expect(await closeCodeForRawFrame(bytes)).toBe(1002);
    await othersUnaffected();
  });
});

// ---------------------------------------------------------------------------------------------------------

describe('floods', () => {
  it('2000 pings at once are all answered', async () => {
    tried += 2000;
    const s = await stack.socket(token);
    const refs = Array.from({ length: 2000 }, (_, i) => `p${i}`);
    for (const ref of refs) s.sendRaw(JSON.stringify({ type: 'ping', ref }));
    await s.waitFor((f) => f.type === 'reply' && f.ref === 'p1999', 30_000);
    const replies = s.frames.filter((f): f is ReplyFrame => f.type === 'reply');
    expect(replies).toHaveLength(2000);
    for (const r of replies) expect(r.ok || r.error.code === 'RATE_LIMITED').toBe(true);
    await s.close();
    await othersUnaffected();
  });

  it('2000 broken frames at once get 2000 BAD_REQUEST replies', async () => {
    tried += 2000;
    const s = await stack.socket(token);
    for (let i = 0; i < 2000; i++) s.sendRaw(`{"type":"ping","ref":"b${i}"`);
    await expect.poll(() => s.frames.length, { timeout: 30_000 }).toBe(2000);
    expect(s.frames.every((f) => f.type === 'reply' && !f.ok && f.error.code === 'BAD_REQUEST')).toBe(true);
    expect((await s.request({ type: 'ping' })).ok).toBe(true);
    await s.close();
    await othersUnaffected();
  });

  it('300 joins of one room at once each get exactly one answer', async () => {
    tried += 300;
    const s = await stack.socket(token);
    for (let i = 0; i < 300; i++) s.sendRaw(JSON.stringify({ type: 'join', room: ROOM, ref: `j${i}` }));
    await expect.poll(() => s.frames.filter((f) => f.type === 'reply').length, { timeout: 30_000 }).toBe(300);
    const replies = s.frames.filter((f): f is ReplyFrame => f.type === 'reply');
    expect(new Set(replies.map((r) => r.ref)).size).toBe(300);
    for (const r of replies) expect(r.ok || ['BAD_REQUEST', 'RATE_LIMITED'].includes(r.error.code)).toBe(true);
    expect(replies.some((r) => r.ok)).toBe(true);
    await s.close();
    await othersUnaffected();
  });

  it('500 sends at once: each answered, and the bystander gets exactly the accepted ones', async () => {
    tried += 500;
    const s = await stack.socket(token);
    await s.request({ type: 'join', room: ROOM });
    const tag = randomBytes(4).toString('hex');
    for (let i = 0; i < 500; i++)
      s.sendRaw(JSON.stringify({ type: 'send', room: ROOM, text: `${tag} ${i}`, ref: `s${i}` }));
    const isSendReply = (f: { type: string; ref?: string | null }) => f.type === 'reply' && /^s\d+$/.test(f.ref ?? '');
    await expect.poll(() => s.frames.filter(isSendReply).length, { timeout: 60_000 }).toBe(500);
    const replies = s.frames.filter(isSendReply) as ReplyFrame[];
    const accepted = replies.filter((r) => r.ok).length;
    for (const r of replies) expect(r.ok || ['RATE_LIMITED', 'UNAVAILABLE'].includes(r.error.code)).toBe(true);
    const heard = () => bystander.frames.filter((f) => f.type === 'message' && f.message.text.startsWith(tag)).length;
    await expect.poll(heard, { timeout: 30_000 }).toBe(accepted);
    await s.close();
    await othersUnaffected();
  }, 120_000);
});

// ---------------------------------------------------------------------------------------------------------
// REST through the gateway: [name, method, path, options, status, code (undefined: not checked)]

type RestCase = [
  string,
  string,
  string,
  { as?: 'admin' | 'user'; body?: string | Buffer; type?: string; headers?: Record<string, string> },
  number,
  string?,
];
const login = (body: string, type = 'application/json') => ({ body, type });
// biome-ignore format: one row per input, read as a table
const restCases: RestCase[] = [
  ['login with truncated JSON', 'POST', '/api/auth/login', login('{"username":"admin",'), 400, 'BAD_REQUEST'],
  ['login with a body that is not JSON', 'POST', '/api/auth/login', login('username=admin&password=x'), 400, 'BAD_REQUEST'],
  ['login with an empty JSON body', 'POST', '/api/auth/login', login(''), 400, 'BAD_REQUEST'],
  ['login with a JSON array', 'POST', '/api/auth/login', login('[1,2]'), 400, 'BAD_REQUEST'],
  ['login with __proto__ in the body', 'POST', '/api/auth/login', login('{"username":"admin","password":"admin-password","__proto__":{"isAdmin":true}}'), 400, 'BAD_REQUEST'],
  ['login with constructor.prototype in the body', 'POST', '/api/auth/login', login('{"username":"admin","password":"x","constructor":{"prototype":{"isAdmin":true}}}'), 400, 'BAD_REQUEST'],
  ['login with an operator object as the username', 'POST', '/api/auth/login', login('{"username":{"$ne":null},"password":{"$ne":null}}'), 400, 'BAD_REQUEST'],
  ['login with a SQL-looking username', 'POST', '/api/auth/login', login(`{"username":"admin' OR '1'='1' --","password":"x' OR '1'='1"}`), 401, 'UNAUTHORIZED'],
  ['login with 10k nested arrays as the username', 'POST', '/api/auth/login', login(`{"username":${nest('[', ']', 10_000)},"password":"x"}`), 400, 'BAD_REQUEST'],
  ['login as text/plain (read as a string, not as credentials)', 'POST', '/api/auth/login', login('{"username":"admin","password":"admin-password"}', 'text/plain'), 400, 'BAD_REQUEST'],
  ['login as a form', 'POST', '/api/auth/login', login('username=admin&password=admin-password', 'application/x-www-form-urlencoded'), 415],
  ['login as application/json; charset=utf-7', 'POST', '/api/auth/login', login('{"username":"admin","password":"x"}', 'application/json; charset=utf-7'), 401, 'UNAUTHORIZED'],
  ['a 100 KiB login body', 'POST', '/api/auth/login', login(`{"username":"admin","password":"${'x'.repeat(100 * 1024)}"}`), 413],
  ['a 5 MiB login body', 'POST', '/api/auth/login', login(`{"username":"${'x'.repeat(5 * 1024 * 1024)}"}`), 413],
  ['a 5 MiB room body', 'POST', '/api/rooms', { as: 'admin', body: `{"title":"${'x'.repeat(5 * 1024 * 1024)}"}`, type: 'application/json' }, 413],
  // The gateway's proxy refuses dot segments before forwarding anything.
  ['path traversal in a room id (encoded)', 'GET', '/api/rooms/..%2F..%2Fapi%2Fauth%2Fusers/messages', { as: 'admin' }, 400, 'BAD_REQUEST'],
  ['path traversal in a room id (raw)', 'GET', '/api/rooms/../auth/users', { as: 'admin' }, 400, 'BAD_REQUEST'],
  ['dot-dot as the room id', 'GET', '/api/rooms/%2e%2e/messages', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['a malformed percent-encoding in the room id', 'GET', '/api/rooms/%E0%A4%A/messages', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['a NUL as the room id', 'GET', '/api/rooms/%00/messages', { as: 'user' }, 404, 'ROOM_INVALID'],
  ['a SQL-looking room id', 'GET', `/api/rooms/${encodeURIComponent("calm' OR '1'='1")}/messages`, { as: 'user' }, 404, 'ROOM_INVALID'],
  ['a SQL-looking room id to rename', 'PATCH', `/api/rooms/${encodeURIComponent("x'; DROP TABLE rooms.rooms; --")}`, { as: 'admin', body: '{"title":"pwned"}', type: 'application/json' }, 404, 'ROOM_INVALID'],
  ['a SQL-looking room id to delete', 'DELETE', `/api/rooms/${encodeURIComponent('calm%')}`, { as: 'admin' }, 404, 'ROOM_INVALID'],
  ['a room id of 201 characters', 'GET', `/api/rooms/${'a'.repeat(201)}/messages`, { as: 'user' }, 414, 'BAD_REQUEST'],
  ['a SQL-looking user id to change', 'PATCH', `/api/auth/users/${encodeURIComponent("' OR 1=1 --")}`, { as: 'admin', body: '{"isAdmin":true}', type: 'application/json' }, 404, 'NOT_FOUND'],
  ['history limit 1e309', 'GET', '/api/rooms/calm/messages?limit=1e309', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['history limit -1', 'GET', '/api/rooms/calm/messages?limit=-1', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['history limit as an array', 'GET', '/api/rooms/calm/messages?limit=1&limit=2', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['history before 2**64', 'GET', '/api/rooms/calm/messages?before=18446744073709551616', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['history before 1e300', 'GET', '/api/rooms/calm/messages?before=1e300', { as: 'user' }, 400, 'BAD_REQUEST'],
  ['a 10 KiB bearer token of garbage', 'GET', '/api/auth/me', { headers: { authorization: `Bearer ${'A'.repeat(10_240)}` } }, 401, 'UNAUTHORIZED'],
  ['a 20 KiB header', 'GET', '/api/rooms', { as: 'user', headers: { 'x-junk': 'j'.repeat(20 * 1024) } }, 431],
  ['a method the API does not have', 'PUT', '/api/rooms/calm', { as: 'admin', body: '{}', type: 'application/json' }, 404],
];

describe('hostile REST requests through the gateway', () => {
  let userToken: string;
  beforeAll(async () => {
    userToken = (await stack.user()).token;
  });

  it.each(restCases)('%s', async (_name, method, path, options, status, code) => {
    tried++;
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${options.as === 'admin' ? stack.adminToken : userToken}`;
    if (options.type) headers['content-type'] = options.type;
    const res = await stack.raw(method, path, {
      headers,
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    expect(res.status, res.text.slice(0, 300)).toBe(status);
    if (code) expect(res.json?.code).toBe(code);
    // Every error body has the documented shape: {code, message} with a code of the protocol.
    // (431 is Node's HTTP parser refusing the headers: there is no request yet for the API to answer.)
    if (res.json !== undefined && status !== 431) expect(isErrorCode(res.json.code), res.text.slice(0, 200)).toBe(true);
    // Never a user list, never a stack trace.
    expect(res.text).not.toMatch(/"createdAt"|passwordHash|password_hash|\bat .+\.js:\d+/);
    await othersUnaffected();
  });

  it('a room titled with markup and traversal gets a safe id and keeps its title verbatim', async () => {
    tried += 2;
    for (const title of ['<script>alert(1)</script>', '../../etc/passwd']) {
      const res = await stack.call('POST', '/api/rooms', { token: stack.adminToken, body: { title } });
      expect(res.status).toBe(201);
      expect(res.body.title).toBe(title);
      expect(res.body.id).toMatch(new RegExp(ROOM_ID_PATTERN));
    }
    const list = await stack.call('GET', '/api/rooms', { token: stack.adminToken });
    expect(list.body.map((r: { id: string }) => r.id)).toContain(ROOM);
    await othersUnaffected();
  });
});
