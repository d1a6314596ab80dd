/**
 * A protocol-speaking WebSocket client for tests: send frames, await the reply to a ref, await events.
 * Every frame received is kept in order so a test can also assert what did NOT arrive.
 */
import type { Socket } from 'node:net';
import type { ReplyFrame, ServerFrame } from '@chat/protocol';
import WebSocket from 'ws';

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  origin?: string;
}

export class TestSocket {
  readonly frames: ServerFrame[] = [];
  private waiters: { match: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void }[] = [];
  private nextRef = 0;
  closed: Promise<{ code: number; reason: string }>;
  /** The TCP socket under the WebSocket (the upgrade's): a test pauses it to stop reading. */
  tcp: Socket | undefined;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      const frame = JSON.parse(data.toString()) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Sends a frame with a fresh ref and resolves with its reply. */
  async request(frame: Record<string, unknown>, timeoutMs = 5000): Promise<ReplyFrame> {
    const ref = `r${++this.nextRef}`;
    const reply = this.waitFor((f) => f.type === 'reply' && f.ref === ref, timeoutMs);
    this.ws.send(JSON.stringify({ ...frame, ref }));
    return (await reply) as ReplyFrame;
  }

  /** Resolves with the first frame, already received or still to come, that matches. */
  waitFor(match: (f: ServerFrame) => boolean, timeoutMs = 5000, fromIndex = 0): Promise<ServerFrame> {
    const seen = this.frames.slice(fromIndex).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      const done = (f: ServerFrame) => {
        clearTimeout(timer);
        resolve(f);
      };
      this.waiters.push({ match, resolve: done });
    });
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close();
    return this.closed;
  }
}

export function openSocket(url: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const ws = new WebSocket(url, { headers, ...(options.origin ? { origin: options.origin } : {}) });
  const socket = new TestSocket(ws);
  ws.once('upgrade', (response) => {
    socket.tcp = response.socket;
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => reject(new HandshakeRefused(res.statusCode ?? 0, res.headers['retry-after'], body)));
      res.on('error', () => reject(new HandshakeRefused(res.statusCode ?? 0, res.headers['retry-after'], body)));
    });
    ws.once('error', reject);
  });
}

export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter?: string,
    readonly body = '',
  ) {
    super(`handshake refused with HTTP ${status}`);
  }
}
