/**
 * GET /ws: the one WebSocket per user. The handshake has waited its turn (admit-upgrades.ts), is
 * authenticated (bearer header or session cookie) and, when the cookie is what authenticates, the Origin
 * must be one of ours (cross-site WebSocket hijacking).
 *
 * The checks run cheapest first, so that a flood pays for itself: the token's signature (local; a forged
 * token ends here and never reaches auth), the Origin, the per-user cap (connection-cap.ts; a user at the
 * cap is refused without a lookup), and only then the fresh lookup of the user at auth.
 */
import { ChatError, ErrorCode, type TokenClaims } from '@chat/protocol';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessWatch } from '../access-watch.js';
import type { Admission } from '../admission.js';
import { releaseAdmission } from '../admit-upgrades.js';
import { ClientWrites } from '../client-writes.js';
import type { GatewayConfig } from '../config.js';
import { ConnectionCap } from '../connection-cap.js';
import type { Hub } from '../hub.js';
import type { GatewayTraffic } from '../metrics.js';
import type { RoomsClient } from '../rooms-client.js';
import type { TypingRelay } from '../typing.js';
import { Connection, type ConnectionDeps } from '../connection.js';
import type { ConnectionRegistry } from '../connection-registry.js';
import { releaseUpgrade } from '../upgrade-release.js';

export interface WsRouteOptions {
  access: AccessWatch;
  config: GatewayConfig;
  admission: Admission;
  hub: Hub<Connection>;
  roomsClient: RoomsClient;
  connections: ConnectionRegistry;
  traffic: GatewayTraffic;
  typing: TypingRelay;
}

export async function wsRoute(
  app: FastifyInstance,
  { config, admission, hub, roomsClient, connections, access, traffic, typing }: WsRouteOptions,
) {
  const deps: ConnectionDeps = {
    access,
    traffic,
    typing,
    hub,
    roomsClient,
    registry: connections,
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

  const cap = new ConnectionCap(config.MAX_CONNECTIONS_PER_USER, connections);
  /**
   * Each checked handshake: its place under the cap (held until its socket is open or gone), and the
   * stand-in response @fastify/websocket routed it with (let go of once the socket is open).
   */
  const handshakes = new WeakMap<FastifyRequest, { release: () => void; response: ServerResponse }>();

  /**
   * Who the token says is calling, from its signature alone. app.authenticate verifies it again, but
   * @fastify/jwt keeps verified tokens, so that second time is a cache hit.
   */
  async function claimedUserId(request: FastifyRequest): Promise<string> {
    try {
      const claims: TokenClaims = await request.jwtVerify();
      return claims.sub;
    } catch {
      throw new ChatError(ErrorCode.UNAUTHORIZED, 'a valid session token is required');
    }
  }

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
      preValidation: async (request, reply) => {
        let release = () => {};
        try {
          const userId = await claimedUserId(request);
          checkOrigin(request);
          release = cap.reserve(userId);
          await app.authenticate(request);
        } catch (err) {
          release();
          traffic.handshakeRefused(err instanceof ChatError ? err.code : undefined);
          throw err;
        } finally {
          releaseAdmission(request.raw);
        }
        // Should the upgrade fail past this point, the socket's close gives the place back.
        request.raw.socket.once('close', release);
        handshakes.set(request, { release, response: reply.raw });
      },
    },
    (socket, request) => {
      const { id, username, sessionVersion } = request.currentUser;
      // The upgrade's TCP socket is the one ws writes to.
      const tcp = request.raw.socket;
      const handshake = handshakes.get(request);
      if (handshake) {
        handshakes.delete(request);
        releaseUpgrade(socket, tcp, handshake.response);
      }
      new Connection(socket, tcp, { id, username }, sessionVersion, deps);
      // The connection now counts in the registry: the place held for its handshake is no longer needed.
      if (handshake) {
        tcp.off('close', handshake.release);
        handshake.release();
      }
    },
  );
}
