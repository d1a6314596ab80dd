/** The rooms service: rooms, their messages, who may enter. buildApp is what tests and the entry point both start. */
import {
  authenticate,
  buildService,
  databaseCheck,
  exposeRequestIds,
  healthRoutes,
  installErrorHandler,
  natsCheck,
  openApiDocument,
  readiness,
  registerDatabase,
  registerMetrics,
  registerNats,
  registerNatsService,
  serviceFastifyOptions,
} from '@chat/service-kit';
import { type UserLookup, userDirectory } from '@chat/service-kit';
import Fastify, { type FastifyInstance } from 'fastify';
import type { RoomsConfig } from './config.js';
import { migrations } from './db/migrations/index.js';
import { ROOMS_SCHEMA, type RoomsDatabase } from './db/schema.js';
import { MessageEdits } from './messages/edits.js';
import { MessageHistory } from './messages/history.js';
import { RecentHistory } from './messages/recent-history.js';
import { Outbox } from './messages/outbox.js';
import { MessageWriter } from './messages/writer.js';
import { roomsMetrics } from './metrics.js';
import { roomsService } from './nats/endpoints.js';
import { PresenceStore } from './presence/store.js';
import { sweepDeadGateways } from './presence/sweeper.js';
import { natsRoomEvents } from './nats/room-events.js';
import { watchRoomStates } from './nats/state-watch.js';
import { historyRoutes } from './routes/history.js';
import { roomRoutes } from './routes/rooms.js';
import { RoomAccessCheck } from './rooms/access.js';
import { RoomStore } from './rooms/store.js';
import { dieAfterCommitting } from './test-hooks.js';

export async function buildApp(config: RoomsConfig): Promise<FastifyInstance> {
  const app = Fastify(
    serviceFastifyOptions('rooms', config.LOG_LEVEL, config.TRUST_PROXY, { requestIdsFromGateway: true }),
  );
  installErrorHandler(app);
  exposeRequestIds(app);

  return buildService(app, async () => {
    const metrics = await registerMetrics(app, 'rooms', config);
    const database = await registerDatabase<RoomsDatabase>(app, config, { schema: ROOMS_SCHEMA, migrations });
    const nc = await registerNats(app, 'rooms', config);
    metrics.observeNatsRequests(nc);
    const rooms = new RoomStore(database.db);
    const history = new MessageHistory(database.db);
    const recent = new RecentHistory(history);
    const events = natsRoomEvents(nc);
    const counts = roomsMetrics(metrics.registry, () => writer.depth);
    const outbox = new Outbox(database.db, events, () => nc.flush(), { logger: app.log });
    const writer = new MessageWriter(database.db, database.pool, events, outbox, {
      logger: app.log,
      onCommit: counts.batchCommitted,
      afterCommit: dieAfterCommitting(config.NODE_ENV),
    });
    const users = userDirectory(nc, { timeoutMs: config.REQUEST_TIMEOUT_MS, ttlMs: config.USER_CACHE_TTL_MS });
    app.addHook('onClose', async () => users.close());
    // Joins (and HTTP requests) ask auth afresh: who may enter is never judged by a copy that an announcement
    // keeps up to date, since an announcement can be lost between two NATS nodes. The per-message checks
    // (send, edit, delete, history) reuse a kept answer, dropped by the announcement and at most
    // USER_CACHE_TTL_MS old when it was lost.
    const lookupUser: UserLookup = (id, requestId) => users.lookup(id, { requestId });
    const currentUser: UserLookup = (id, requestId) => users.lookup(id, { fresh: true, requestId });
    const access = new RoomAccessCheck(rooms, lookupUser);
    const stateWatch = watchRoomStates(nc, recent);

    const ready = readiness('rooms', { nats: natsCheck(nc), database: databaseCheck(database.db) }, { log: app.log });
    const edits = new MessageEdits(database.db, lookupUser);
    const presence = new PresenceStore(database.db, config.MEMBERS_PAGE_SIZE);
    const sweeper = sweepDeadGateways(nc, presence, events, {
      timeoutMs: config.PRESENCE_GATEWAY_TIMEOUT_MS,
      log: app.log,
    });
    await registerNatsService(
      app,
      nc,
      roomsService({
        ready,
        rooms,
        history,
        writer,
        events,
        currentUser,
        edits,
        recent,
        access,
        sendRefused: counts.sendRefused,
        presence,
      }),
    );
    // Shutdown: the endpoints stop taking requests first (their own hook, registered above); then what is
    // queued is written and its events published, before the NATS connection drains.
    app.addHook('preClose', async () => {
      for (const subscription of stateWatch) subscription.unsubscribe();
      sweeper.stop();
      await writer.close();
      await outbox.close();
      events.flush();
    });
    // What a rooms instance that died left unannounced is announced by the others, and by itself once back.
    outbox.start();

    await app.register(openApiDocument, {
      title: 'MultiChat rooms',
      description: 'Rooms and their messages. Through the gateway: /api/openapi.json.',
      tags: [{ name: 'rooms', description: 'The room directory (changed by administrators) and message history' }],
    });
    await app.register(authenticate, {
      publicKey: config.publicKey,
      loadUser: (id) => users.lookup(id, { fresh: true }),
    });
    await app.register(roomRoutes, { rooms, recent, nc });
    await app.register(historyRoutes, { rooms, history });
    // Readiness also under /api/rooms/, which the gateway forwards; /api/rooms/health is the older name of it.
    await app.register(healthRoutes, {
      service: 'rooms',
      ready,
      readyAliases: ['/api/rooms/readyz', '/api/rooms/health'],
    });
  });
}
