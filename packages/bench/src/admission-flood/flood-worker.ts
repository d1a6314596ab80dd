/**
 * The attacker: one process, pinned to its own core by the parent, that sends a burst of WebSocket upgrade
 * requests from one local address and counts the answers. Raw TCP, not `ws`: the burst must cost the
 * generator as little as possible, and only the status line of each answer matters.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface FloodOrder {
  url: string;
  localAddress: string;
  handshakes: number;
  /** A token for every handshake; `forged` replaces each signature with random bytes (a distinct token each). */
  token: string;
  forged: boolean;
}

export interface FloodReport {
  /** Answers by HTTP status ("closed" for a connection that ended without one). */
  statuses: Record<string, number>;
  ms: number;
}

/** Sockets started per event-loop turn: the worker reads answers while it is still sending the rest. */
const PER_TURN = 100;

function forge(token: string): string {
  const [header, payload] = token.split('.');
  return `${header}.${payload}.${randomBytes(64).toString('base64url')}`;
}

function flood(order: FloodOrder): Promise<FloodReport> {
  const url = new URL(order.url);
  const statuses: Record<string, number> = {};
  const opened: Socket[] = [];
  const started = performance.now();
  let pending = order.handshakes;
  return new Promise((resolve) => {
    const settle = (status: string) => {
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (--pending === 0) {
        for (const socket of opened) socket.destroy();
        resolve({ statuses, ms: performance.now() - started });
      }
    };
    const one = () => {
      const token = order.forged ? forge(order.token) : order.token;
      const socket = connect({ host: url.hostname, port: Number(url.port), localAddress: order.localAddress });
      let answered = false;
      socket.write(
        `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: Zmxvb2QtZ2VuZXJhdG9yIQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
      socket.once('data', (chunk: Buffer) => {
        answered = true;
        const status = chunk.toString('latin1', 9, 12);
        if (status === '101') opened.push(socket);
        else socket.destroy();
        settle(status);
      });
      socket.on('error', () => {});
      socket.once('close', () => {
        if (!answered) settle('closed');
      });
    };
    let sent = 0;
    const turn = () => {
      for (let i = 0; i < PER_TURN && sent < order.handshakes; i++, sent++) one();
      if (sent < order.handshakes) setImmediate(turn);
    };
    turn();
  });
}

process.on('message', (order: FloodOrder) => {
  void flood(order).then((report) => process.send?.(report));
});
