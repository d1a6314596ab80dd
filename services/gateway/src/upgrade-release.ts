/**
 * Letting go of what a WebSocket upgrade through @fastify/websocket leaves tied to the connection for its whole
 * life. The one place the gateway relies on how that plugin works inside (it has no option for this);
 * test/upgrade-release.test.ts fails when a new version of it changes underneath.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * Call in the route's WebSocket handler, before the socket gets its own 'error' listener.
 *
 * - The plugin routes the upgrade through Fastify with a stand-in ServerResponse assigned to the TCP socket;
 *   detached (Node's own ServerResponse.detachSocket), it and the request it answers can be collected.
 * - The plugin's 'error' listener on the WebSocket closes over the upgrade's request and reply (and calls its
 *   errorHandler); it is removed, so the caller's listener, which keeps nothing, is the only one.
 */
export function releaseUpgrade(ws: WebSocket, tcp: Socket, response: ServerResponse): void {
  if (response.socket === tcp) response.detachSocket(tcp);
  ws.removeAllListeners('error');
}
