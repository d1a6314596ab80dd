/** The gateway: WebSockets in, NATS out; also the single HTTP origin for browsers. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import fastifyHelmet from '@fastify/helmet';
import fastifyWebsocket from '@fastify/websocket';
import { CloseCode, MAX_FRAME_BYTES, Subjects } from '@chat/protocol';
import {
  authenticate,
  buildService,
  exposeRequestIds,
  healthRoutes,
  installErrorHandler,
  natsCheck,
  READINESS_TIMEOUT_MS,
  readiness,
  registerMetrics,
  registerNats,
  serviceFastifyOptions,
  userDirectory,
} from '@chat/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { GatewayConfig } from './config.js';
import { AccessWatch } from './access-watch.js';
import { Admission } from './admission.js';
import { admitUpgrades } from './admit-upgrades.js';
import { clientAddressOf } from './client-address.js';
import { Hub } from './hub.js';
import { GatewayTraffic, gatewayMetrics } from './metrics.js';
import { beatPresence } from './presence-heartbeat.js';
import { RoomsClient } from './rooms-client.js';
import { securityHeaders } from './security-headers.js';
import { serviceReadiness } from './service-readiness.js';
import { TypingRelay } from './typing.js';
import { apiDocsRoutes } from './routes/api-docs.js';
import { proxyRoutes } from './routes/proxy.js';
import { webRoutes } from './routes/web.js';
import { wsRoute } from './routes/ws.js';
import type { Connection } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';

export async function buildApp(config: GatewayConfig): Promise<FastifyInstance> {
  const app = Fastify(serviceFastifyOptions('gateway', config.LOG_LEVEL, config.TRUST_PROXY));
  installErrorHandler(app);
  exposeRequestIds(app);
  return buildService(app, async () => {
    await app.register(fastifyHelmet, securityHeaders(config.allowedOrigins));
    await app.register(apiDocsRoutes, {
      services: [
        { name: 'auth', prefix: '/api/auth', urls: config.authUrls },
        { name: 'rooms', prefix: '/api/rooms', urls: config.roomsUrls },
      ],
      timeoutMs: config.REQUEST_TIMEOUT_MS,
    });
    const metrics = await registerMetrics(app, 'gateway', config);

    const nc = await registerNats(app, 'gateway', config);
    metrics.observeNatsRequests(nc);
    const users = userDirectory(nc, { timeoutMs: config.REQUEST_TIMEOUT_MS, ttlMs: config.USER_CACHE_TTL_MS });
    app.addHook('onClose', async () => users.close());
    // A new id at every start: presence counts this process's sockets under it, and sweeps them if it dies.
    const gatewayId = randomUUID();
    app.log.info({ gateway: gatewayId }, 'gateway instance');
    const roomsClient = new RoomsClient(nc, config.REQUEST_TIMEOUT_MS, config.SEND_ATTEMPTS, gatewayId);
    const heartbeat = beatPresence(roomsClient, config.PRESENCE_HEARTBEAT_MS, app.log);
    app.addHook('onClose', async () => heartbeat.stop());
    const hub = new Hub<Connection>(nc);
    const connections = new ConnectionRegistry();
    const access = new AccessWatch(nc, {
      hub,
      users,
      roomsClient,
      connections,
      log: app.log.child({ component: 'access' }),
      timeoutMs: config.REQUEST_TIMEOUT_MS,
      recheckDeadlineMs: config.ACCESS_RECHECK_DEADLINE_MS,
      sweepIntervalMs: config.ACCESS_SWEEP_INTERVAL_MS,
    });

    await app.register(authenticate, {
      publicKey: config.publicKey,
      // Asked afresh: a handshake arrives over HTTP and could overtake auth's change announcement on NATS, so a
      // kept answer might be the one a just-disabled account or a logout made stale.
      loadUser: (id) => users.lookup(id, { fresh: true }),
    });
    const admission = new Admission({
      concurrent: config.HANDSHAKES_CONCURRENT,
      maxJoins: config.ADMISSION_MAX_JOINS,
      targetMs: config.ADMISSION_JOIN_TARGET_MS,
      maxWaiting: config.HANDSHAKE_QUEUE_MAX,
      maxWaitingPerKey: config.HANDSHAKE_QUEUE_MAX_PER_ADDRESS,
      maxWaitMs: config.HANDSHAKE_QUEUE_TIMEOUT_MS,
    });
    await app.register(fastifyWebsocket, {
      options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
      // Only for a socket whose Connection was not made: once it is, the socket's errors (the client's doing:
      // an oversized frame, a broken connection) go to the Connection, which notes them (upgrade-release.ts).
      errorHandler: (error, socket, request) => {
        request.log.info({ err: error }, 'socket error');
        socket.terminate();
      },
      // On shutdown every client is told to reconnect (1012), to another gateway if there is one.
      preClose: async () => {
        access.close();
        admission.close();
        // Answer what is under way (so no acknowledged send is cut off), then tell every client to reconnect.
        const drained = Promise.all([...connections.all()].map((connection) => connection.drain()));
        await Promise.race([drained, sleep(config.REQUEST_TIMEOUT_MS, undefined, { ref: false })]);
        for (const connection of connections.all()) connection.end(CloseCode.RESTART, 'server restarting');
        app.websocketServer.close();
      },
    });
    const traffic = new GatewayTraffic();
    gatewayMetrics(metrics.registry, { traffic, hub, connections, admission });
    const typing = new TypingRelay(nc);
    await app.register(wsRoute, { config, admission, hub, roomsClient, connections, access, traffic, typing });
    // @fastify/websocket listens for upgrades once registered; the admission goes in front of it when ready.
    let stopAdmitting: (() => void) | undefined;
    app.addHook('onReady', async () => {
      stopAdmitting = admitUpgrades(app.server, admission, app.log, clientAddressOf(config.TRUST_PROXY));
    });
    app.addHook('preClose', async () => stopAdmitting?.());
    await app.register(proxyRoutes, { config });
    if (config.webRoot) await app.register(webRoutes, { root: config.webRoot });
    // A service's own checks get READINESS_TIMEOUT_MS, so asking it takes longer: its answer ("database: no
    // answer within 1000 ms") says more than the gateway giving up first would.
    const askMs = READINESS_TIMEOUT_MS + 500;
    const ready = readiness(
      'gateway',
      {
        nats: natsCheck(nc),
        auth: serviceReadiness(nc, { subject: Subjects.auth.ready, urls: config.authUrls }, askMs),
        rooms: serviceReadiness(nc, { subject: Subjects.rooms.ready, urls: config.roomsUrls }, askMs),
      },
      { timeoutMs: askMs + 250, log: app.log },
    );
    await app.register(healthRoutes, {
      service: 'gateway',
      ready,
      stats: () => ({ ...hub.stats(), sockets: connections.size, admission: admission.stats() }),
    });
  });
}
