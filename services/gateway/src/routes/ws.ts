/**
 * GET /ws: the one WebSocket per user. The handshake has waited its turn (admit-upgrades.ts), is
 * authenticated (bearer header or session cookie) and, when the cookie is what authenticates, the Origin
 * must be one of ours (cross-site WebSocket hijacking).
 */
import { ChatError, ErrorCode } from '@chat/protocol';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Admission } from '../admission.js';
import { releaseAdmission } from '../admit-upgrades.js';
import { ClientWrites } from '../client-writes.js';
import type { GatewayConfig } from '../config.js';
import type { Hub } from '../hub.js';
import type { ServicesClient } from '../rooms-client.js';
import { Session, type SessionDeps } from '../session.js';
import type { SessionRegistry } from '../session-registry.js';

export interface WsRouteOptions {
  config: GatewayConfig;
  admission: Admission;
  hub: Hub<Session>;
  services: ServicesClient;
  sessions: SessionRegistry;
}

export async function wsRoute(app: FastifyInstance, { config, admission, hub, services, sessions }: WsRouteOptions) {
  const deps: SessionDeps = {
    hub,
    services,
    registry: sessions,
    log: app.log.child({ component: 'ws' }),
    joins: admission,
    writes: new ClientWrites(config.CLIENT_WRITE_GATHER_MS),
    limits: {
      maxRooms: config.MAX_ROOMS_PER_CONNECTION,
      sendBufferLimit: config.SEND_BUFFER_LIMIT_BYTES,
      sendsPerSecond: config.SENDS_PER_SECOND,
      joinsPerSecond: config.JOINS_PER_SECOND,
    },
  };

  function checkOrigin(request: FastifyRequest): void {
    const bearer = /^Bearer\s/i.test(request.headers.authorization ?? '');
    if (bearer) return;
    const origin = request.headers.origin;
    if (!origin || !config.allowedOrigins.has(origin)) {
      throw new ChatError(ErrorCode.FORBIDDEN, 'this origin may not open a socket with the session cookie');
    }
  }

  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request) => {
        try {
          await app.authenticate(request);
        } finally {
          releaseAdmission(request.raw);
        }
        checkOrigin(request);
        if (sessions.countOfUser(request.currentUser.id) >= config.MAX_CONNECTIONS_PER_USER) {
          throw new ChatError(
            ErrorCode.RATE_LIMITED,
            `at most ${config.MAX_CONNECTIONS_PER_USER} connections per user`,
          );
        }
      },
    },
    (socket, request) => {
      const { id, username, sessionVersion } = request.currentUser;
      new Session(socket, { id, username }, sessionVersion, deps);
      releaseUpgradeObjects(request);
    },
  );
}

/**
 * @fastify/websocket routes the upgrade through Fastify with a stand-in ServerResponse attached to the TCP
 * socket; detached, it and the request can be collected instead of living as long as the connection.
 */
function releaseUpgradeObjects(request: FastifyRequest): void {
  const socket = request.raw.socket as Socket & { _httpMessage?: ServerResponse | null };
  socket._httpMessage?.detachSocket(socket);
}
