/**
 * Keeps every socket within the one rule (access-rule.ts), whatever happens and whatever this gateway misses:
 *
 * - A change of a user (auth's announcement: flags, disabled, deleted, password, logout) re-judges that
 *   user's sockets; a change of a room (created, changed, deleted: rooms' announcement) re-judges its local
 *   members. Always from the state as it is now, asked afresh of auth and rooms, never from a copy taken at
 *   join time.
 * - A join approved before a change and completed after it is judged again before it completes
 *   (`confirmJoin`, with the change log).
 * - After a gap (NATS disconnected, an event subscription failed) announcements may have been missed: room
 *   events are held (Hub.pause), requests wait, and every socket is judged again before either goes on.
 *   When the services cannot be asked within ACCESS_RECHECK_DEADLINE_MS (10 s by default) of the gap, the
 *   sockets are closed with 1012 (reconnect): a socket is never served on access that could not be confirmed.
 * - And every ACCESS_SWEEP_INTERVAL_MS (30 s by default) every socket is judged again anyway: an announcement
 *   lost with no gap seen (between two NATS nodes) would otherwise leave a member who only reads in a room
 *   until their next request there is refused.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChatError,
  CloseCode,
  ErrorCode,
  type RoomAccess,
  RoomsChangedEvent,
  type RoomsChangedFrame,
  Subjects,
  UserChangedEvent,
  type Validator,
  compile,
  roomRefusalError,
} from '@chat/protocol';
import { decodeJson, type NatsConnection, type Subscription } from '@chat/nats';
import type { Static, TSchema } from '@sinclair/typebox';
import type { CurrentUser, UserDirectory } from '@chat/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import { roomRefusal, sessionMayContinue } from './access-rule.js';
import { ChangeLog } from './change-log.js';
import type { Hub } from './hub.js';
import type { RoomsClient } from './rooms-client.js';
import type { Connection } from './connection.js';
import type { ConnectionRegistry } from './connection-registry.js';

const validUserChanged = compile(UserChangedEvent);
const validRoomsChanged = compile(RoomsChangedEvent);

const GAP_RECHECK_RETRY_MS = 250;
/** User lookups asked at once when every socket is re-judged. */
const LOOKUPS_AT_ONCE = 200;

export interface AccessWatchDeps {
  hub: Hub<Connection>;
  users: UserDirectory;
  roomsClient: RoomsClient;
  connections: ConnectionRegistry;
  log: FastifyBaseLogger;
  /** How long a request waits for a re-check after a gap before it is answered UNAVAILABLE. */
  timeoutMs: number;
  /** How long after a gap the services may take to confirm every socket's access before all are closed. */
  recheckDeadlineMs: number;
  /** How often every socket is judged again though nothing was announced; 0: never. */
  sweepIntervalMs: number;
}

/** Which of a socket's session and memberships `enforce` judges; everything unless told otherwise. */
interface Judged {
  session(connection: Connection): boolean;
  membership(connection: Connection, room: string, epoch: number): boolean;
}
const everything: Judged = { session: () => true, membership: () => true };

/** Rooms as asked of the rooms service: every id asked is a key; undefined means the room does not exist. */
type RoomsNow = Map<string, RoomAccess | undefined>;

export class AccessWatch {
  private readonly log = new ChangeLog();
  private readonly subscriptions: Subscription[];
  private connected = true;
  private closed = false;
  /** Set from a gap until every socket was judged again; requests and joins wait for it. */
  private settled: Promise<void> | undefined;
  private settle: (() => void) | undefined;
  private recheckRunning = false;
  private recheckAgain = false;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    nc: NatsConnection,
    private readonly deps: AccessWatchDeps,
  ) {
    this.subscriptions = [
      nc.subscribe(Subjects.userChanged, {
        callback: this.onEvent('a user change', validUserChanged, (e) => this.userChanged(e)),
      }),
      nc.subscribe(Subjects.roomsChanged, {
        callback: this.onEvent('a room change', validRoomsChanged, (e) => this.roomChanged(e)),
      }),
    ];
    void this.watchConnection(nc);
    this.scheduleSweep();
  }

  /** Where the change log stands: a join notes it when it starts (see confirmJoin). */
  position(): number {
    return this.log.position();
  }

  /** While access is being re-checked after a gap: resolves when done (undefined: nothing to wait for). */
  whenSettled(): Promise<void> | undefined {
    return this.settled;
  }

  /**
   * Completes a join granted in incarnation `epoch` only if nothing that concerns it changed since `since`, or
   * if, judged again from the current state, it may still go ahead. Throws the refusal otherwise.
   */
  async confirmJoin(connection: Connection, room: string, epoch: number, since: number): Promise<void> {
    while (this.log.touched(since, room, connection.user.id)) {
      since = this.log.position();
      await this.waitSettled();
      const [user, rooms] = await Promise.all([
        this.deps.users.lookup(connection.user.id, { fresh: true }),
        this.roomsNow([room]),
      ]);
      if (user?.disabled) throw new ChatError(ErrorCode.USER_DISABLED, 'this account is disabled');
      if (!sessionMayContinue(user, connection.sessionVersion)) {
        throw new ChatError(ErrorCode.UNAUTHORIZED, 'the session has ended');
      }
      const refusal = roomRefusal(user, rooms.get(room), epoch);
      if (refusal) throw roomRefusalError(refusal);
    }
  }

  /** Waits for a re-check under way, at most the request deadline. */
  async waitSettled(): Promise<void> {
    const settled = this.settled;
    if (!settled) return;
    const timeout = sleep(this.deps.timeoutMs, 'timeout' as const, { ref: false });
    if ((await Promise.race([settled, timeout])) === 'timeout') {
      throw new ChatError(ErrorCode.UNAVAILABLE, 'the server is reconnecting; try again');
    }
  }

  /** The rooms service refused a member's request for the room: judge its members now. */
  recheckRoom(room: string): void {
    this.roomRecheck(room).catch((err) => this.deps.log.warn({ err, room }, 'could not re-check a room'));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.sweepTimer);
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.settle?.();
  }

  private async userChanged(event: UserChangedEvent): Promise<void> {
    this.log.changed({ user: event.id });
    const local = [...this.deps.connections.ofUser(event.id)];
    if (local.length === 0) return;
    const user = await this.deps.users.lookup(event.id, { fresh: true });
    const users = new Map([[event.id, user]]);
    // A change of a user alters no room, and a staff member may be in every room: the rooms need asking about
    // only when the user may stay connected and is not staff (a demotion).
    const roomsAffected = user !== null && !user.disabled && !user.isStaff;
    this.enforce(local, users, roomsAffected ? await this.roomsNow(roomsOf(local)) : new Map());
  }

  private async roomChanged(event: RoomsChangedEvent): Promise<void> {
    const { id } = event.room;
    this.log.changed({ room: id });
    // Everyone's room list follows (the list shows every room, staff-only ones flagged, to everyone).
    const change: RoomsChangedFrame =
      event.kind === 'deleted'
        ? { type: 'rooms-changed', kind: 'deleted', room: { id, epoch: event.room.epoch } }
        : {
            type: 'rooms-changed',
            kind: event.kind,
            room: { id, title: event.room.title, staffOnly: event.room.staffOnly, epoch: event.room.epoch },
          };
    const frame = Buffer.from(JSON.stringify(change));
    for (const connection of this.deps.connections.all()) connection.deliver(frame);
    await this.roomRecheck(id);
  }

  private async roomRecheck(room: string): Promise<void> {
    const members = this.deps.hub.membersOf(room);
    if (members.length === 0) return;
    // Users as auth has them now, not as kept: a kept answer is only as current as the last announcement that
    // reached this gateway, and one can be lost between two NATS nodes.
    const [users, rooms] = await Promise.all([this.lookupAll(members, true), this.roomsNow([room])]);
    this.enforce(members, users, rooms);
  }

  /** Applies the rule to each connection, for the rooms in `rooms` (the others were not asked about). */
  private enforce(
    connections: Iterable<Connection>,
    users: Map<string, CurrentUser | null>,
    rooms: RoomsNow,
    judged: Judged = everything,
  ): void {
    for (const connection of connections) {
      const user = users.get(connection.user.id);
      if (user === undefined) continue;
      if (!sessionMayContinue(user, connection.sessionVersion)) {
        if (judged.session(connection)) connection.end(CloseCode.POLICY, 'the session has ended');
        continue;
      }
      for (const [room, epoch] of connection.memberships()) {
        if (!rooms.has(room) || !judged.membership(connection, room, epoch)) continue;
        const refusal = roomRefusal(user, rooms.get(room), epoch);
        if (refusal) connection.revoke(room, refusal);
      }
    }
  }

  private async roomsNow(ids: Iterable<string>): Promise<RoomsNow> {
    const asked = [...ids];
    const found = asked.length > 0 ? await this.deps.roomsClient.access(asked) : new Map<string, RoomAccess>();
    return new Map(asked.map((id) => [id, found.get(id)]));
  }

  private async lookupAll(connections: Connection[], fresh: boolean): Promise<Map<string, CurrentUser | null>> {
    const ids = [...new Set(connections.map((c) => c.user.id))];
    const users = new Map<string, CurrentUser | null>();
    for (let i = 0; i < ids.length; i += LOOKUPS_AT_ONCE) {
      const chunk = ids.slice(i, i + LOOKUPS_AT_ONCE);
      const answers = await Promise.all(chunk.map((id) => this.deps.users.lookup(id, { fresh })));
      for (const [k, id] of chunk.entries()) users.set(id, answers[k] ?? null);
    }
    return users;
  }

  // ---- the sweep ----

  private scheduleSweep(): void {
    if (this.deps.sweepIntervalMs === 0 || this.closed) return;
    // The next one is counted from the end of this one, so that a slow sweep never overlaps the next.
    this.sweepTimer = setTimeout(() => {
      this.sweep()
        .catch((err) => this.deps.log.warn({ err }, 'access sweep failed; the next one will try again'))
        .finally(() => this.scheduleSweep());
    }, this.deps.sweepIntervalMs);
    this.sweepTimer.unref();
  }

  /**
   * Every socket judged from the state as it is: rooms asked afresh (one request for all), users as kept (at
   * most USER_CACHE_TTL_MS old, so that a sweep costs auth at most one lookup per user per TTL). Only what was
   * held before the questions went out is judged, and nothing a change heard meanwhile concerns: a join or an
   * event since then read a newer state than these answers, and is judged by it.
   */
  private async sweep(): Promise<void> {
    if (!this.connected || this.settled) return;
    const since = this.log.position();
    const held = new Map<Connection, Map<string, number>>();
    for (const connection of this.deps.connections.all()) held.set(connection, new Map(connection.memberships()));
    if (held.size === 0) return;
    const connections = [...held.keys()];
    const [users, rooms] = await Promise.all([
      this.lookupAll(connections, false),
      this.roomsNow(this.deps.hub.rooms()),
    ]);
    this.enforce(connections, users, rooms, {
      session: (connection) => !this.log.touched(since, '', connection.user.id),
      membership: (connection, room, epoch) =>
        held.get(connection)?.get(room) === epoch && !this.log.touched(since, room, connection.user.id),
    });
  }

  // ---- gaps ----

  /** Announcements may have been missed from now on: hold events and requests until all is judged again. */
  private gapOpened(): void {
    this.log.gap();
    this.deps.hub.pause();
    if (!this.settled) {
      this.settled = new Promise((resolve) => {
        this.settle = resolve;
      });
    }
  }

  private async recheckEverything(): Promise<void> {
    if (this.recheckRunning) {
      this.recheckAgain = true;
      return;
    }
    this.recheckRunning = true;
    try {
      do {
        this.recheckAgain = false;
        await this.recheckAllUntilDone();
      } while (this.recheckAgain && !this.closed);
    } finally {
      this.recheckRunning = false;
      if (this.connected || this.closed) {
        this.deps.hub.resume();
        this.settle?.();
        this.settled = undefined;
        this.settle = undefined;
      }
    }
  }

  private async recheckAllUntilDone(): Promise<void> {
    const deadline = Date.now() + this.deps.recheckDeadlineMs;
    for (;;) {
      // Disconnected again: the next reconnection starts the re-check over.
      if (!this.connected || this.closed) return;
      try {
        const all = [...this.deps.connections.all()];
        const [users, rooms] = await Promise.all([this.lookupAll(all, true), this.roomsNow(this.deps.hub.rooms())]);
        this.enforce(all, users, rooms);
        return;
      } catch (err) {
        if (Date.now() + GAP_RECHECK_RETRY_MS >= deadline) {
          this.deps.log.error({ err }, 'access could not be re-checked after a gap; asking every client to reconnect');
          for (const connection of this.deps.connections.all()) connection.end(CloseCode.RESTART, 'reconnect');
          return;
        }
        this.deps.log.warn({ err }, 'access re-check after a gap failed; retrying');
        await sleep(GAP_RECHECK_RETRY_MS);
      }
    }
  }

  private async watchConnection(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.connected = false;
        this.gapOpened();
      } else if (status.type === 'reconnect') {
        this.connected = true;
        this.gapOpened();
        void this.recheckEverything();
      }
    }
  }

  private onEvent<T extends TSchema>(name: string, schema: Validator<T>, apply: (event: Static<T>) => Promise<void>) {
    return (err: Error | null, msg: { data: Uint8Array }) => {
      if (err) {
        // The subscription lost events (or its permission): treat it as a gap.
        this.deps.log.warn({ err }, `${name} subscription failed; re-checking every socket`);
        this.gapOpened();
        void this.recheckEverything();
        return;
      }
      const event = decodeJson(msg.data);
      if (!schema.check(event)) {
        // Only auth and rooms may publish these (NATS permissions): one that fails its schema is a bug there.
        this.deps.log.error({ event }, `${name} that fails its schema; re-checking every socket`);
        this.gapOpened();
        void this.recheckEverything();
        return;
      }
      apply(event).catch((error) => {
        // Not applied is as good as missed: judge everyone again once the services answer.
        this.deps.log.warn({ err: error }, `could not apply ${name}; re-checking every socket`);
        this.gapOpened();
        void this.recheckEverything();
      });
    };
  }
}

function roomsOf(connections: Connection[]): Set<string> {
  const rooms = new Set<string>();
  for (const connection of connections) for (const [room] of connection.memberships()) rooms.add(room);
  return rooms;
}
