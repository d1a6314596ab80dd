/**
 * A TCP proxy on loopback that a test can cut and restore: what sits between a service and its NATS server
 * when the test needs that link, and only that link, to fail (a partition), with real sockets on both sides.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxy {
  /** host:port to connect to instead of the target. */
  host: string;
  port: number;
  /** Breaks every connection through the proxy and refuses new ones until restore(). */
  cut(): void;
  restore(): void;
  stop(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let isCut = false;
  const server = createServer((client) => {
    if (isCut) {
      client.destroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      // Either side failing ends both: a broken link, as the other side would see it.
      socket.on('error', () => {});
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the proxy is not listening');
  return {
    host: '127.0.0.1',
    port: address.port,
    cut() {
      isCut = true;
      for (const socket of open) socket.destroy();
    },
    restore() {
      isCut = false;
    },
    async stop() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
