/**
 * GET /ws: the one WebSocket per user. The handshake is authenticated (bearer header or session cookie) and,
 * when the cookie is what authenticates, the Origin must be one of ours (cross-site WebSocket hijacking).
 */
import { ChatError, ErrorCode } from '@chat/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.js';
import type { Hub } from '../hub.js';
import type { ServicesClient } from '../rooms-client.js';
import { Session } from '../session.js';

export interface WsRouteOptions {
  config: GatewayConfig;
  hub: Hub;
  services: ServicesClient;
  sessions: Set<Session>;
}

export async function wsRoute(app: FastifyInstance, { config, hub, services, sessions }: WsRouteOptions) {
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
        await app.authenticate(request);
        checkOrigin(request);
      },
    },
    (socket, request) => {
      const { id, username } = request.currentUser;
      const session = new Session(
        socket,
        { id, username },
        {
          hub,
          services,
          log: request.log,
          maxRooms: config.MAX_ROOMS_PER_CONNECTION,
          sendBufferLimit: config.SEND_BUFFER_LIMIT_BYTES,
        },
      );
      sessions.add(session);
      socket.on('close', () => sessions.delete(session));
    },
  );
}
