/**
 * Puts the admission (admission.ts) in front of Fastify for WebSocket upgrades. A crowd's upgrade requests
 * then wait parsed but not yet routed: no Fastify request, no hooks, no token check, until their turn. The
 * work of letting a crowd in is spread over the time it takes, instead of all landing in the first second
 * ahead of the joins of those already in.
 *
 * The turn lasts until the /ws route has checked the handshake (it calls `releaseAdmission`), or until the
 * socket closes, whichever comes first. Each upgrade waits in the queue of its client's address (resolved
 * as request.ip would be, grouped by admissionKey), so one address's flood queues behind itself.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { ChatError, ErrorCode, RequestIdHeaders } from '@chat/protocol';
import { newRequestId } from '@chat/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Admission } from './admission.js';
import { admissionKey } from './client-address.js';

const kRelease = Symbol('admission release');
type AdmittedRequest = IncomingMessage & { [kRelease]?: () => void };

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Wraps the server's upgrade listeners (call after @fastify/websocket is registered); returns an undo.
 * `clientAddress` resolves who is knocking (clientAddressOf with the service's TRUST_PROXY).
 */
export function admitUpgrades(
  server: Server,
  admission: Admission,
  log: FastifyBaseLogger,
  clientAddress: (request: IncomingMessage) => string,
): () => void {
  const listeners = server.listeners('upgrade') as UpgradeListener[];
  server.removeAllListeners('upgrade');
  const onUpgrade: UpgradeListener = (request, socket, head) => {
    // Node took its error listener off before emitting 'upgrade'; a reset while waiting must not throw.
    const onError = () => socket.destroy();
    socket.on('error', onError);
    // A client that gives up while waiting (closes, or its connect times out) leaves the queue at once.
    const gone = new AbortController();
    const onGone = () => gone.abort();
    socket.once('close', onGone);
    admission.enter(admissionKey(clientAddress(request)), gone.signal).then(
      () => {
        socket.off('close', onGone);
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          socket.off('close', release);
          admission.release();
        };
        if (socket.destroyed) {
          release();
          return;
        }
        socket.once('close', release);
        socket.off('error', onError);
        (request as AdmittedRequest)[kRelease] = release;
        for (const listener of listeners) listener.call(server, request, socket, head);
      },
      (err: unknown) => {
        socket.off('close', onGone);
        // Turned away before Fastify made the request (and its id): an id of its own, as every answer has.
        const requestId = newRequestId();
        refuse(socket, err, requestId);
        log.debug({ err, reqId: requestId }, 'upgrade turned away');
      },
    );
  };
  server.on('upgrade', onUpgrade);
  return () => {
    server.off('upgrade', onUpgrade);
    for (const listener of listeners) server.on('upgrade', listener);
  };
}

/** Ends the upgrade's turn: the handshake has been checked, whatever the verdict. */
export function releaseAdmission(request: IncomingMessage): void {
  (request as AdmittedRequest)[kRelease]?.();
}

function refuse(socket: Duplex, err: unknown, requestId: string): void {
  if (socket.destroyed) return;
  const error = err instanceof ChatError ? err : new ChatError(ErrorCode.UNAVAILABLE, 'try again shortly');
  const body = JSON.stringify({ ...error.toJSON(), requestId });
  socket.end(
    `HTTP/1.1 ${error.statusCode} Service Unavailable\r\nRetry-After: 1\r\nContent-Type: application/json\r\n` +
      `${RequestIdHeaders.http}: ${requestId}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
