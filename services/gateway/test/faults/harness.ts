/**
 * What every fault test needs: the stack as real processes (so they can be killed), users, rooms and sockets
 * made through the public API, steady chat traffic that records the outcome of every send, and the messages
 * the database really holds.
 */
import type { ChatMessage, ServerFrame } from '@chat/protocol';
import { type NatsServer, type ServiceProcess, Stack, type StackOptions } from '@chat/stack';
import { createTestDatabase, generateSigningKeys, openSocket, type TestSocket } from '@chat/test-kit';
import { ok } from '../replies.js';
import pg from 'pg';
import { beforeEach } from 'vitest';

/** Short enough that a test waits little for a refused send; the protocol promises UNAVAILABLE by then. */
export const REQUEST_TIMEOUT_MS = 1000;
/** A reply later than this is counted as a hang. */
export const HANG_MS = REQUEST_TIMEOUT_MS + 2500;

export interface FaultStackOptions
  extends Partial<Pick<StackOptions, 'rooms' | 'gateways' | 'gatewayEnv' | 'roomsEnv' | 'authEnv'>> {
  /** Use this database (e.g. on a private cluster) instead of a fresh one on the shared server. */
  databaseUrl?: string;
}

export async function startFaultStack(options: FaultStackOptions = {}) {
  const database = options.databaseUrl ? undefined : await createTestDatabase('chat_faults');
  const databaseUrl = options.databaseUrl ?? (database?.url as string);
  const keys = generateSigningKeys();
  let processes: Stack;
  try {
    processes = await Stack.start({
      database: { url: databaseUrl },
      // Kept for printLogsOnFailure and for tests that read what a service logged.
      logs: 'memory',
      rooms: options.rooms ?? 1,
      gateways: options.gateways ?? 1,
      env: { NODE_ENV: 'test', LOG_LEVEL: 'info', JWT_PUBLIC_KEY: keys.publicKey },
      authEnv: { JWT_PRIVATE_KEY: keys.privateKey, LOGINS_PER_ADDRESS: '1000', ...options.authEnv },
      roomsEnv: { ...options.roomsEnv },
      gatewayEnv: {
        REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
        SENDS_PER_SECOND: '1000',
        JOINS_PER_SECOND: '1000',
        ...options.gatewayEnv,
      },
    });
  } catch (err) {
    await database?.drop();
    throw err;
  }
  // The stack runs its own nats-server: the fault tests crash and restart it.
  const nats = processes.natsServer as NatsServer;
  const sockets: TestSocket[] = [];

  const liveGateway = (): ServiceProcess => {
    const gateway = processes.gateways.find((g) => g.running);
    if (!gateway) throw new Error('no gateway is running');
    return gateway;
  };

  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(liveGateway().url + path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async function login(username: string, password: string): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token;
  }

  let adminToken: string;
  try {
    await processes.createSuperuser('admin', 'admin-password');
    adminToken = await login('admin', 'admin-password');
  } catch (err) {
    await processes.stop();
    await database?.drop();
    throw err;
  }

  let userCount = 0;
  async function user(): Promise<{ id: string; username: string; token: string }> {
    const username = `user${++userCount}`;
    const password = `${username}-password`;
    const res = await call('POST', '/api/auth/users', { token: adminToken, body: { username, password } });
    if (res.status !== 201) throw new Error(`create ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, username, token: await login(username, password) };
  }

  async function users(count: number) {
    return Promise.all(Array.from({ length: count }, () => user()));
  }

  async function room(title: string): Promise<string> {
    const res = await call('POST', '/api/rooms', { token: adminToken, body: { title } });
    if (res.status !== 201) throw new Error(`create room ${title}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  /** A socket on the given gateway, closed when the stack stops. */
  async function socket(token: string, gateway: ServiceProcess = liveGateway()): Promise<TestSocket> {
    const s = await openSocket(wsUrl(gateway), { token });
    sockets.push(s);
    return s;
  }

  /** `count` new users, each with a socket (on `gateway`, or any live one) that has joined every room. */
  async function chatters(count: number, rooms: string[], gateway?: ServiceProcess): Promise<TestSocket[]> {
    const members = await users(count);
    return Promise.all(
      members.map(async (member) => {
        const s = await socket(member.token, gateway);
        await joinAll(s, rooms);
        return s;
      }),
    );
  }

  const stack = {
    chatters,
    nats,
    databaseUrl,
    processes,
    adminToken,
    call,
    user,
    users,
    room,
    socket,
    logs: () => processes.logs(),
    async stop() {
      for (const s of sockets) s.ws.terminate();
      await processes.stop();
      await database?.drop();
    },
  };
  return stack;
}

export type FaultStack = Awaited<ReturnType<typeof startFaultStack>>;

export function wsUrl(gateway: ServiceProcess): string {
  return `${gateway.url.replace('http', 'ws')}/ws`;
}

/** When a test fails, print what the services logged (the tail of each) so the failure can be read. */
export function printLogsOnFailure(logs: () => string | undefined): void {
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      const text = logs();
      if (text) console.log(`----- service logs -----\n${tail(text, 40_000)}`);
    });
  });
}

/** Per-request lines say little about a fault; what is left is the start, the stops and the complaints. */
const ROUTINE = /"msg":"(incoming request|request completed|fetching from remote server|response received)"/;

function tail(text: string, chars: number): string {
  return text
    .split('\n')
    .filter((line) => !ROUTINE.test(line))
    .join('\n')
    .split(/(?====== )/)
    .map((part) => (part.length > chars / 4 ? `…${part.slice(-chars / 4)}` : part))
    .join('\n');
}

/** A figure for docs/reliability.md. */
export function reliability(test: string, figures: Record<string, unknown>): void {
  console.log(`[reliability] ${test}: ${JSON.stringify(figures)}`);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** One send's outcome in words, for assertion messages. */
export const describeOutcome = (r: SendRecord) =>
  `${r.text}: ${r.outcome.kind === 'error' ? `${r.outcome.code} ${r.outcome.message}` : r.outcome.kind} after ${r.latencyMs} ms`;

export async function joinAll(socket: TestSocket, rooms: string[]): Promise<void> {
  for (const room of rooms) ok(await socket.request({ type: 'join', room }));
}

export type SendOutcome =
  | { kind: 'acked'; message: ChatMessage }
  | { kind: 'error'; code: string; message: string }
  /** No reply within HANG_MS: the promise the protocol breaks. */
  | { kind: 'hang' }
  /** The socket closed before the reply: the outcome is unknown to the client. */
  | { kind: 'closed' };

export interface SendRecord {
  client: number;
  room: string;
  text: string;
  startedAt: number;
  latencyMs: number;
  outcome: SendOutcome;
}

/** Sends one message and classifies what came back, never waiting past HANG_MS. */
export async function trySend(socket: TestSocket, room: string, text: string): Promise<SendOutcome> {
  const closed = socket.closed.then(() => ({ kind: 'closed' }) as const);
  const replied = socket.request({ type: 'send', room, text }, HANG_MS).then(
    (reply): SendOutcome =>
      reply.ok
        ? { kind: 'acked', message: reply.data as ChatMessage }
        : { kind: 'error', code: reply.error.code, message: reply.error.message },
    (): SendOutcome => ({ kind: 'hang' }),
  );
  return Promise.race([replied, closed]);
}

/**
 * Steady chat: each client sends one message at a time in its room (round robin over `rooms`), as a person
 * typing fast would, and every send's outcome is recorded. Texts are unique, so the database can be checked.
 */
export class Traffic {
  readonly records: SendRecord[] = [];
  private running = true;
  private readonly loops: Promise<void>[];

  constructor(
    clients: TestSocket[],
    rooms: string[],
    private readonly options: { pauseMs?: number; tag?: string } = {},
  ) {
    this.loops = clients.map((socket, client) => this.loop(socket, client, rooms));
  }

  private async loop(socket: TestSocket, client: number, rooms: string[]): Promise<void> {
    for (let i = 0; this.running; i++) {
      const room = rooms[(client + i) % rooms.length] as string;
      const text = `${this.options.tag ?? 't'}-c${client}-${i}`;
      const startedAt = Date.now();
      const outcome = await trySend(socket, room, text);
      this.records.push({ client, room, text, startedAt, latencyMs: Date.now() - startedAt, outcome });
      if (outcome.kind === 'closed') return;
      await sleep(this.options.pauseMs ?? 5);
    }
  }

  /** Lets every client finish the send it has under way, then stops. */
  async stop(): Promise<SendRecord[]> {
    this.running = false;
    await Promise.all(this.loops);
    return this.records;
  }

  acked(): SendRecord[] {
    return this.records.filter((r) => r.outcome.kind === 'acked');
  }

  failed(): SendRecord[] {
    return this.records.filter((r) => r.outcome.kind !== 'acked');
  }
}

export interface StoredMessage {
  room: string;
  seq: number;
  text: string;
}

/** What the database holds, read directly: the ground truth an acknowledgement promises. */
export async function storedMessages(databaseUrl: string, rooms: string[]): Promise<StoredMessage[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query<{ room_id: string; seq: string; text: string }>(
      'SELECT room_id, seq, text FROM rooms.messages WHERE room_id = ANY($1) ORDER BY room_id, seq',
      [rooms],
    );
    return result.rows.map((r) => ({ room: r.room_id, seq: Number(r.seq), text: r.text }));
  } finally {
    await client.end();
  }
}

export interface StoreCheck {
  stored: number;
  /** Acknowledged sends whose text is not in the database. */
  lost: SendRecord[];
  /** Acknowledged sends stored under another seq than the one acknowledged. */
  mismatched: SendRecord[];
  /** Rooms whose seqs are not exactly 1..n. */
  gaps: { room: string; seqs: number[] }[];
  /** Texts stored more than once (a retried send stored twice). */
  duplicates: string[];
  /** Sends that got an error, a hang or a close, and were stored anyway. */
  storedThoughNotAcked: number;
}

/** Compares the outcomes the clients saw with what the database holds. */
export async function checkStore(databaseUrl: string, rooms: string[], records: SendRecord[]): Promise<StoreCheck> {
  const stored = await storedMessages(databaseUrl, rooms);
  const byText = new Map<string, StoredMessage[]>();
  for (const m of stored) byText.set(m.text, [...(byText.get(m.text) ?? []), m]);
  const lost: SendRecord[] = [];
  const mismatched: SendRecord[] = [];
  let storedThoughNotAcked = 0;
  for (const record of records) {
    const found = byText.get(record.text);
    if (record.outcome.kind === 'acked') {
      if (!found) lost.push(record);
      else if (
        !found.some((m) => m.seq === (record.outcome as { message: ChatMessage }).message.seq && m.room === record.room)
      )
        mismatched.push(record);
    } else if (found) {
      storedThoughNotAcked++;
    }
  }
  const gaps: StoreCheck['gaps'] = [];
  for (const room of rooms) {
    const seqs = stored.filter((m) => m.room === room).map((m) => m.seq);
    if (seqs.some((seq, i) => seq !== i + 1)) gaps.push({ room, seqs });
  }
  const duplicates = [...byText].filter(([, ms]) => ms.length > 1).map(([text]) => text);
  return { stored: stored.length, lost, mismatched, gaps, duplicates, storedThoughNotAcked };
}

/** Did the socket close? (Without waiting.) */
export async function isClosed(socket: TestSocket): Promise<boolean> {
  return Promise.race([socket.closed.then(() => true), sleep(0).then(() => false)]);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export function messagesOf(frames: ServerFrame[], room: string): ChatMessage[] {
  return frames.flatMap((f) => (f.type === 'message' && f.room === room ? [f.message] : []));
}

export type { NatsServer, ServiceProcess, TestSocket };
