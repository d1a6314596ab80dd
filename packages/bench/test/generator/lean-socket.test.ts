/**
 * The lean client against a real `ws` server: the server is the reference implementation of the protocol,
 * so whatever it accepts and answers is what the gateway (also built on `ws`) will accept and answer.
 */
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { LeanSocket, ReadyState } from '../../src/generator/lean-socket.js';

/** Long enough for a loaded CI machine, short enough that a missing event fails the test rather than hangs it. */
const EVENT_TIMEOUT_MS = 5_000;

function within<T>(promise: Promise<T>, what: string, ms = EVENT_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves when `check` holds, polled every millisecond; for counts that grow across several events. */
function until(check: () => boolean, what: string, ms = EVENT_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (check()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      else setTimeout(poll, 1);
    };
    poll();
  });
}

/** `size` bytes no two messages share, so a frame read at a wrong offset or out of order cannot pass. */
function patterned(size: number, seed: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7) & 0xff;
  return bytes;
}

/** Text of exactly `size` UTF-8 bytes, with a tag first so a mix-up names the message. */
function textOf(size: number, tag: string): string {
  return tag.padEnd(size, 'abcdefghijklmnopqrstuvwxyz0123456789');
}

// Everything a test starts, so afterEach can stop it even when the test failed half way.
const servers: { close(): Promise<void> }[] = [];
const clients: LeanSocket[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.terminate();
  await Promise.all(servers.splice(0).map((server) => within(server.close(), 'a test server to close')));
});

interface WsServer {
  wss: WebSocketServer;
  url: URL;
  /** The next connection the server accepts, with the upgrade request it came with. */
  nextConnection(): Promise<{ socket: WebSocket; request: IncomingMessage }>;
}

async function startWsServer(): Promise<WsServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        // ws leaves accepted connections open on close(), and its HTTP server waits for them.
        for (const socket of wss.clients) socket.terminate();
        wss.close(() => resolve());
      }),
  });
  await within(once(wss, 'listening'), 'the ws server to listen');
  const { port } = wss.address() as AddressInfo;
  return {
    wss,
    url: new URL(`ws://127.0.0.1:${port}/socket?client=lean`),
    nextConnection: async () => {
      const [socket, request] = (await within(once(wss, 'connection'), 'the server to accept a connection')) as [
        WebSocket,
        IncomingMessage,
      ];
      return { socket, request };
    },
  };
}

interface RecordingClient {
  socket: LeanSocket;
  opened: Promise<void>;
  /** The reason `close` was given. */
  closed: Promise<string | undefined>;
  opens: number;
  /** Copies: the client only lends the buffer for the duration of the call. */
  messages: Buffer[];
  /** For each message, which TCP read it came out of (messages parsed from one read share a number). */
  reads: number[];
}

function connectClient(url: URL, headers: Record<string, string> = {}): RecordingClient {
  let opened!: () => void;
  let closed!: (reason: string | undefined) => void;
  let read = 0;
  let readInProgress = false;
  const client: RecordingClient = {
    socket: undefined as unknown as LeanSocket,
    opened: new Promise((resolve) => {
      opened = resolve;
    }),
    closed: new Promise((resolve) => {
      closed = resolve;
    }),
    opens: 0,
    messages: [],
    reads: [],
  };
  client.socket = new LeanSocket(url, headers, {
    message(data) {
      // Node drains microtasks after every 'data' event, so messages before the next microtask checkpoint
      // were all parsed out of the same chunk.
      if (!readInProgress) {
        read++;
        readInProgress = true;
        queueMicrotask(() => {
          readInProgress = false;
        });
      }
      client.messages.push(Buffer.from(data));
      client.reads.push(read);
    },
    open() {
      client.opens++;
      opened();
    },
    close(reason) {
      closed(reason);
    },
  });
  clients.push(client.socket);
  return client;
}

async function openClient(server: WsServer, headers: Record<string, string> = {}) {
  const accepted = server.nextConnection();
  const client = connectClient(server.url, headers);
  await within(client.opened, 'the client to open');
  return { client, ...(await accepted) };
}

/** The next `count` messages the server receives on `socket`, as text, with whether each came as binary. */
function serverReceives(socket: WebSocket, count: number): Promise<{ texts: string[]; binary: boolean[] }> {
  const texts: string[] = [];
  const binary: boolean[] = [];
  return within(
    new Promise((resolve) => {
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        texts.push(data.toString('utf8'));
        binary.push(isBinary);
        if (texts.length === count) resolve({ texts, binary });
      });
    }),
    `the server to receive ${count} messages`,
  );
}

describe('LeanSocket against a ws server', () => {
  it('opens and sends the custom headers and the path in the upgrade request', async () => {
    const server = await startWsServer();
    const accepted = server.nextConnection();
    const client = connectClient(server.url, { Authorization: 'Bearer x', 'X-Bench-Client': '7' });
    expect(client.socket.readyState).toBe(ReadyState.Connecting);

    await within(client.opened, 'the client to open');
    const { request } = await accepted;

    expect(client.socket.readyState).toBe(ReadyState.Open);
    expect(client.opens).toBe(1);
    expect(request.headers.authorization).toBe('Bearer x');
    expect(request.headers['x-bench-client']).toBe('7');
    expect(request.url).toBe('/socket?client=lean');
    expect(request.headers.host).toBe(server.url.host);
  });

  it('receives messages of every length encoding byte-exact and in order', async () => {
    // 125 is the largest 7-bit length, 126..65535 take a 16-bit length, 65536 up a 64-bit one. The last two
    // are larger than one socket read (64 KiB), so their frames arrive cut across reads.
    const sizes = [0, 1, 125, 126, 300, 65535, 65536, 70000];
    const payloads = sizes.map((size, seed) => patterned(size, seed));
    const server = await startWsServer();
    // Sent in the same turn as the 101 answer, so the first frames share a read with the handshake.
    server.wss.once('connection', (socket) => {
      for (const payload of payloads) socket.send(payload, { binary: true });
    });
    const client = connectClient(server.url);

    await until(() => client.messages.length >= payloads.length, `${payloads.length} messages`);

    expect(client.messages.map((message) => message.length)).toEqual(sizes);
    client.messages.forEach((message, i) => {
      expect(message.equals(payloads[i]!), `message ${i} (${sizes[i]} bytes)`).toBe(true);
    });
  });

  it('splits a burst of frames that arrived in one read into its messages', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    const burst = [textOf(5, 'a'), textOf(125, 'b'), textOf(126, 'c'), textOf(300, 'd'), textOf(4000, 'e')];

    // One synchronous run of sends: the client cannot read in between, so the frames wait in its socket
    // buffer and come out of a single read.
    for (const text of burst) socket.send(text);
    await until(() => client.messages.length >= burst.length, `${burst.length} messages`);

    expect(client.messages.map((message) => message.toString('utf8'))).toEqual(burst);
    // Guards the premise: had the frames come in separate reads, this test would prove nothing about bursts.
    expect(new Set(client.reads).size).toBe(1);
  });

  it('joins a fragmented message, answering a ping sent between its fragments', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    const pong = within(once(socket, 'pong'), 'a pong');

    // ws sends the first part as a text frame without FIN and the rest as continuation frames; control
    // frames may come between them, and must neither end the message nor go into it.
    socket.send('frag', { fin: false });
    socket.ping(Buffer.from('mid'));
    socket.send(textOf(300, 'mented'), { fin: false });
    socket.send('!', { fin: true });
    socket.send('next');
    await until(() => client.messages.length >= 2, '2 messages');

    expect(client.messages.map((message) => message.toString('utf8'))).toEqual([
      `frag${textOf(300, 'mented')}!`,
      'next',
    ]);
    const [data] = (await pong) as [Buffer];
    expect(data.toString()).toBe('mid');
  });

  it('sends text the server receives exactly, one message at a time', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    // Multi-byte characters: the frame length must count bytes, not UTF-16 units.
    const texts = ['hello', 'héllo ✓ 🚀', textOf(126, 'x'), textOf(200, 'y'), textOf(65535, 'z'), textOf(70000, 'w')];
    const received = serverReceives(socket, texts.length);

    for (const text of texts) client.socket.send(text);

    const { texts: got, binary } = await received;
    expect(got).toEqual(texts);
    expect(binary.every((isBinary) => !isBinary)).toBe(true);
  });

  it('sends several messages in one write with sendAll', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    const texts = ['{"type":"join","room":"a"}', 'ünïcödé', textOf(127, 'm'), textOf(65536, 'n'), textOf(70000, 'o')];
    const received = serverReceives(socket, texts.length);

    client.socket.sendAll(texts);

    const { texts: got, binary } = await received;
    expect(got).toEqual(texts);
    expect(binary.every((isBinary) => !isBinary)).toBe(true);
  });

  it('answers a server ping with a pong carrying the same data', async () => {
    const server = await startWsServer();
    const { socket } = await openClient(server);

    const pong = within(once(socket, 'pong'), 'a pong');
    socket.ping(Buffer.from('are you there?'));
    const [data] = (await pong) as [Buffer];
    expect(data.toString()).toBe('are you there?');

    const emptyPong = within(once(socket, 'pong'), 'a pong to an empty ping');
    socket.ping();
    const [empty] = (await emptyPong) as [Buffer];
    expect(empty.length).toBe(0);
  });

  it('closes without a reason when the server closes, echoing the close code', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    const serverClosed = within(once(socket, 'close'), 'the server side to close');

    socket.close(1000);

    expect(await within(client.closed, 'the client to close')).toBeUndefined();
    expect(client.socket.readyState).toBe(ReadyState.Closed);
    // The code the server reports is the one in the client's answering close frame.
    const [code] = (await serverClosed) as [number];
    expect(code).toBe(1000);
  });

  it('closes with code 1000 when the client closes', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    const serverClosed = within(once(socket, 'close'), 'the server side to close');

    client.socket.close();
    expect(client.socket.readyState).toBe(ReadyState.Closing);

    const [code] = (await serverClosed) as [number];
    expect(code).toBe(1000);
    expect(await within(client.closed, 'the client to close')).toBeUndefined();
    expect(client.socket.readyState).toBe(ReadyState.Closed);
  });

  it('does not send once closing', async () => {
    const server = await startWsServer();
    const { client, socket } = await openClient(server);
    const messages: string[] = [];
    socket.on('message', (data: Buffer) => messages.push(data.toString()));
    const serverClosed = within(once(socket, 'close'), 'the server side to close');

    client.socket.send('before');
    client.socket.close();
    // A frame after the close frame would be a protocol error for the server.
    client.socket.send('after');
    client.socket.sendAll(['after all']);

    await serverClosed;
    expect(messages).toEqual(['before']);
  });
});

describe('LeanSocket failing to connect', () => {
  it('reports a refused handshake with its status and never opens', async () => {
    const http: HttpServer = createHttpServer();
    http.on('upgrade', (_request, socket) => {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    servers.push({ close: () => new Promise((resolve) => http.close(() => resolve())) });
    http.listen(0, '127.0.0.1');
    await within(once(http, 'listening'), 'the http server to listen');
    const { port } = http.address() as AddressInfo;

    const client = connectClient(new URL(`ws://127.0.0.1:${port}/`));

    expect(await within(client.closed, 'the client to close')).toContain('503');
    expect(client.opens).toBe(0);
    expect(client.socket.readyState).toBe(ReadyState.Closed);
  });

  it('reports a refused connection and never opens', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createNetServer().listen(0, '127.0.0.1');
    await within(once(probe, 'listening'), 'the probe server to listen');
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const client = connectClient(new URL(`ws://127.0.0.1:${port}/`));

    const reason = await within(client.closed, 'the client to close');
    expect(reason).toBeTruthy();
    expect(reason).toContain('ECONNREFUSED');
    expect(client.opens).toBe(0);
    expect(client.socket.readyState).toBe(ReadyState.Closed);
  });
});
