/**
 * One WebSocket: one authenticated user, any number of rooms. Parses and answers the client's frames,
 * receives room events from the hub, and leaves every room (with `left` notices) when the socket goes.
 */
import {
  ChatError,
  type ClientFrame,
  type DeleteFrame,
  type EditFrame,
  ErrorCode,
  type HistoryFrame,
  type JoinFrame,
  type LeaveFrame,
  type MembersFrame,
  type RemovedEvent,
  normalizeMessageText,
  replyOkBytes,
  type ReplyError,
  type ReplyOk,
  type SendFrame,
  type TypingFrame,
  type UserRef,
} from '@chat/protocol';
import { newRequestId } from '@chat/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import type { AccessWatch } from './access-watch.js';
import type { JoinLoad } from './admission.js';
import type { ClientWrites, CorkableSocket, CorkHolder } from './client-writes.js';
import { type FrameError, parseClientFrame } from './parse-frame.js';
import type { Hub, Member } from './hub.js';
import type { GatewayTraffic } from './metrics.js';
import type { RoomRef, RoomsClient } from './rooms-client.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { TokenBucket } from './token-bucket.js';
import type { TypingRelay } from './typing.js';

export interface ConnectionLimits {
  maxRooms: number;
  sendBufferLimit: number;
  sendsPerSecond: number;
  joinsPerSecond: number;
}

/** What every connection of a gateway shares: one object for all, so a socket costs only its own state. */
export interface ConnectionDeps {
  hub: Hub<Connection>;
  roomsClient: RoomsClient;
  registry: ConnectionRegistry;
  log: FastifyBaseLogger;
  limits: ConnectionLimits;
  /** Told of every join while it is under way: new sockets are let in while few are. */
  joins: JoinLoad;
  /** When frames written to sockets leave: after the turn, or gathered while the gateway is busy. */
  writes: ClientWrites;
  /** Who may stay: joins are confirmed against it, and requests wait while it re-checks after a gap. */
  access: AccessWatch;
  /** What the metrics count here: plain increments, read when scraped. */
  traffic: GatewayTraffic;
  /** Typing notices to the room's other members, throttled per user. */
  typing: TypingRelay;
}

const kConnection = Symbol('connection');
const DEBUG_LEVELS = new Set(['debug', 'trace']);

/** A reply's bytes: small ones from Node's Buffer pool (see replyOkBytes). */
const allocFrame = (size: number): Uint8Array => Buffer.allocUnsafe(size);

/** ws's send options, shared: one object per frame adds up at hundreds of thousands of frames a second. */
const TEXT = { binary: false } as const;
type ConnectionSocket = WebSocket & { [kConnection]: Connection };

// Socket listeners are shared functions that find their connection on the socket, not closures per socket:
// with thousands of idle connections, per-socket closures are a measurable share of the gateway's memory.
function onSocketMessage(this: WebSocket, data: Buffer, isBinary: boolean): void {
  (this as ConnectionSocket)[kConnection].receive(data, isBinary);
}
function onSocketClose(this: WebSocket): void {
  (this as ConnectionSocket)[kConnection].closedByPeer();
}
function onSocketError(this: WebSocket, err: Error): void {
  // 'close' follows and cleans up; an unreadable client is nothing to log above debug.
  (this as ConnectionSocket)[kConnection].socketFailed(err);
}

/** 'joining' until the join is granted and confirmed; then the incarnation (epoch) of the room joined. */
type Membership = 'joining' | number;

export class Connection implements Member, CorkHolder {
  private readonly rooms = new Map<string, Membership>();
  private readonly sendBucket: TokenBucket;
  private readonly joinBucket: TokenBucket;
  private closed = false;
  /** @internal the TCP socket while its writes wait for the next flush (client-writes.ts) */
  corkedSocket: CorkableSocket | undefined;
  private draining = false;
  private inFlight = 0;
  private onIdle: (() => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    /** The TCP socket ws writes to (the upgrade's): corking it gathers the frames written meanwhile. */
    private readonly tcp: CorkableSocket,
    readonly user: UserRef,
    /** The session version of the token the socket was opened with; a newer one means logged out. */
    readonly sessionVersion: number,
    private readonly deps: ConnectionDeps,
  ) {
    const { sendsPerSecond, joinsPerSecond } = deps.limits;
    this.sendBucket = new TokenBucket(sendsPerSecond, sendsPerSecond * 2);
    this.joinBucket = new TokenBucket(joinsPerSecond, joinsPerSecond * 2);
    (ws as ConnectionSocket)[kConnection] = this;
    ws.on('error', onSocketError);
    ws.on('message', onSocketMessage);
    ws.on('close', onSocketClose);
    deps.registry.add(this);
  }

  private write(data: string | Uint8Array): void {
    // ws writes each frame to the TCP socket at once, so corking it gathers them.
    if (!this.corkedSocket) this.deps.writes.hold(this, this.tcp);
    // length, not byteLength (the same for bytes): Buffer's byteLength getter costs ~15 ns, length ~1.
    this.deps.traffic.bytesOut += typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    this.ws.send(data, TEXT);
  }

  /** Called by the hub for every event of every joined room: the bytes go out as they came. */
  deliver(frame: Uint8Array): void {
    if (this.ws.bufferedAmount > this.deps.limits.sendBufferLimit) {
      // A client that stops reading must not make the gateway hold its backlog without bound. A close frame
      // would queue behind that backlog, so the connection is dropped (the client sees 1006) and reconnects.
      this.deps.log.warn({ user: this.user.id, buffered: this.ws.bufferedAmount }, 'dropping a slow consumer');
      this.deps.traffic.slowConsumersDropped++;
      this.ws.terminate();
      return;
    }
    this.deps.traffic.deliveries++;
    this.write(frame);
  }

  /** Tells the client to come back later (shutdown) or that its session ended (logout, disabled). */
  end(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  /**
   * @internal the socket's 'message' listener. Every frame gets a request id, a refused one too: it goes to rooms
   * (and on to auth) with the work the frame asks for, is on every line logged about the frame, and is told to
   * the client with any error, so the id a user reports finds the frame in every service's log.
   */
  receive(data: Buffer, isBinary: boolean): void {
    const requestId = newRequestId();
    if (isBinary) {
      this.deps.traffic.framesIn.invalid++;
      const error = new ChatError(ErrorCode.BAD_REQUEST, 'binary frames are not supported; send JSON text');
      this.refuse(null, requestId, error);
      return;
    }
    let frame: ClientFrame;
    try {
      frame = parseClientFrame(data.toString('utf8'));
    } catch (err) {
      this.deps.traffic.framesIn.invalid++;
      const error = err as FrameError;
      this.refuse(error.ref, requestId, error);
      return;
    }
    this.deps.traffic.framesIn[frame.type]++;
    if (this.draining) {
      this.refuse(frame.ref, requestId, new ChatError(ErrorCode.UNAVAILABLE, 'the server is restarting; reconnect'));
      return;
    }
    this.inFlight++;
    const startedAt = DEBUG_LEVELS.has(this.deps.log.level) ? performance.now() : undefined;
    this.handle(frame, requestId)
      .then(
        () => startedAt !== undefined && this.traceAnswer(requestId, frame, startedAt),
        (err: unknown) => this.refuse(frame.ref, requestId, err, frame, startedAt),
      )
      .finally(() => {
        if (--this.inFlight === 0) this.onIdle?.();
      });
  }

  /** Shutdown, step one: take no new requests and resolve once those under way are answered. */
  drain(): Promise<void> {
    this.draining = true;
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.onIdle = resolve;
    });
  }

  private async handle(frame: ClientFrame, requestId: string): Promise<void> {
    // After a gap, nothing is served until this socket's access has been judged again.
    if (frame.type !== 'ping' && this.deps.access.whenSettled()) await this.deps.access.waitSettled();
    switch (frame.type) {
      case 'join':
        return this.join(frame, requestId);
      case 'leave':
        return this.leave(frame, requestId);
      case 'send':
        return this.send(frame, requestId);
      case 'history':
        return this.history(frame, requestId);
      case 'edit':
        return this.edit(frame, requestId);
      case 'delete':
        return this.delete(frame, requestId);
      case 'ping':
        return this.replyOk(frame.ref, { time: new Date().toISOString() });
      case 'members':
        return this.members(frame, requestId);
      case 'typing':
        return this.typing(frame);
    }
  }

  private async join({ room, since: heldSeq, epoch: heldEpoch, ref }: JoinFrame, requestId: string): Promise<void> {
    if (heldEpoch !== undefined && heldSeq === undefined) {
      throw new ChatError(ErrorCode.BAD_REQUEST, 'epoch names the incarnation of since: give both, or neither');
    }
    const state = this.rooms.get(room);
    if (state === 'joining') throw new ChatError(ErrorCode.BAD_REQUEST, 'a join of this room is already under way');
    const { maxRooms } = this.deps.limits;
    if (state === undefined && this.rooms.size >= maxRooms) {
      throw new ChatError(ErrorCode.RATE_LIMITED, `at most ${maxRooms} rooms per connection`);
    }
    if (!this.joinBucket.take()) throw rateLimited('joins');
    const { hub } = this.deps;
    // Joining again re-checks access and returns fresh history; membership restarts with it (presence, which
    // counted the socket already, does not count it twice).
    const again = state !== undefined;
    if (again) hub.remove(room, this);
    this.rooms.set(room, 'joining');
    const joinStartedAt = this.deps.joins.joinStarted();
    const { access, roomsClient } = this.deps;
    // Changes heard from here on may concern this join: it is judged again before it completes if so.
    const since = access.position();
    let granted = false;
    try {
      await hub.reserve(room, this);
      // A rejoin's answer is read by rooms; either way it stays bytes here, and `lastSeq` is where it ends.
      const resume = heldSeq === undefined ? undefined : { since: heldSeq, epoch: heldEpoch };
      const answer = await roomsClient.join(room, this.user, requestId, resume, again);
      granted = true;
      await access.confirmJoin(this, room, answer.epoch, since);
      if (this.closed || this.rooms.get(room) !== 'joining')
        throw new ChatError(ErrorCode.NOT_IN_ROOM, 'the join was abandoned');
      this.rooms.set(room, answer.epoch);
      // The reply (with history) goes first, then held events newer than that history, then live ones.
      this.replyOkRaw(ref, answer.json);
      hub.confirm(room, this, answer.lastSeq);
    } catch (err) {
      if (this.rooms.get(room) === 'joining') this.rooms.delete(room);
      hub.cancel(room, this);
      // The room heard this socket join (now or before); it hears it go.
      if (granted || again)
        roomsClient
          .leave(room, this.user, requestId)
          .catch((e) => this.deps.log.debug({ err: e, room, reqId: requestId }, 'leave notice not sent'));
      throw err;
    } finally {
      this.deps.joins.joinFinished(joinStartedAt);
    }
  }

  private async leave({ room, ref }: LeaveFrame, requestId: string): Promise<void> {
    this.membership(room);
    this.rooms.delete(room);
    this.deps.hub.remove(room, this);
    this.replyOk(ref, { room });
    await this.deps.roomsClient.leave(room, this.user, requestId).catch((err) => {
      // A room deleted a moment ago has nobody left to tell.
      if (!(err instanceof ChatError && err.code === ErrorCode.ROOM_INVALID)) {
        this.deps.log.warn({ err, room, reqId: requestId }, 'leave notice not sent');
      }
    });
  }

  private async send({ room, text, id, ref }: SendFrame, requestId: string): Promise<void> {
    const joined = this.membership(room);
    if (!this.sendBucket.take()) throw rateLimited('messages');
    const sent = this.deps.roomsClient.send(joined, this.user, normalizeMessageText(text), requestId, id);
    this.replyOkRaw(ref, await this.refusalRechecks(joined, sent));
    this.deps.typing.sent(room, this.user.id);
  }

  private async members({ room, after, ref }: MembersFrame, requestId: string): Promise<void> {
    this.membership(room);
    this.replyOkRaw(ref, await this.deps.roomsClient.members(room, this.user, after, requestId));
  }

  /** Answered ok whether forwarded or throttled: a throttled notice is one the others have already. */
  private typing({ room, stop, ref }: TypingFrame): void {
    this.membership(room);
    this.deps.typing.typing(room, this.user, stop === true);
    this.replyOk(ref, { room });
  }

  private async edit({ room, id, text, ref }: EditFrame, requestId: string): Promise<void> {
    const joined = this.membership(room);
    if (!this.sendBucket.take()) throw rateLimited('messages');
    const edited = this.deps.roomsClient.edit(joined, id, this.user, normalizeMessageText(text), requestId);
    this.replyOkRaw(ref, await this.refusalRechecks(joined, edited));
  }

  private async delete({ room, id, ref }: DeleteFrame, requestId: string): Promise<void> {
    const joined = this.membership(room);
    const deleted = this.deps.roomsClient.delete(joined, id, this.user, requestId);
    this.replyOkRaw(ref, await this.refusalRechecks(joined, deleted));
  }

  private async history({ room, before, limit, ref }: HistoryFrame, requestId: string): Promise<void> {
    const joined = this.membership(room);
    const page = this.deps.roomsClient.history(joined, this.user, before, limit, requestId);
    this.replyOkRaw(ref, await this.refusalRechecks(joined, page));
  }

  /**
   * The rooms service judges every request by the current state too; when it refuses a member's access, this
   * gateway missed something about the room, and its members are judged again.
   */
  private async refusalRechecks<T>({ room }: RoomRef, request: Promise<T>): Promise<T> {
    try {
      return await request;
    } catch (err) {
      const code = err instanceof ChatError ? err.code : undefined;
      if (code === ErrorCode.ROOM_INVALID || code === ErrorCode.ROOM_ACCESS_DENIED) this.deps.access.recheckRoom(room);
      throw err;
    }
  }

  /** @internal the socket's 'error' listener */
  socketFailed(err: Error): void {
    this.deps.log.debug({ err, user: this.user.id }, 'socket error');
  }

  /** @internal the socket's 'close' listener */
  closedByPeer(): void {
    this.closed = true;
    const { hub, roomsClient, log, registry } = this.deps;
    registry.remove(this);
    // The close is a request of its own: the leave notices it sends go under one id.
    const requestId = this.rooms.size > 0 ? newRequestId() : undefined;
    for (const [room, state] of this.rooms) {
      if (state !== 'joining') {
        hub.remove(room, this);
        // Fails only when NATS or the rooms service is gone (or the gateway is shutting down).
        roomsClient
          .leave(room, this.user, requestId)
          .catch((err) => log.debug({ err, room, reqId: requestId }, 'leave notice not sent'));
      }
    }
    this.rooms.clear();
  }

  private isMember(room: string): boolean {
    const state = this.rooms.get(room);
    return state !== undefined && state !== 'joining';
  }

  /** The room as joined (with its epoch); NOT_IN_ROOM unless the socket is in it. */
  private membership(room: string): RoomRef {
    const epoch = this.rooms.get(room);
    if (epoch === undefined || epoch === 'joining') throw notInRoom(room);
    return { room, epoch };
  }

  /** The rooms this socket is in, each with the epoch it joined. */
  *memberships(): IterableIterator<[room: string, epoch: number]> {
    for (const [room, state] of this.rooms) if (state !== 'joining') yield [room, state];
  }

  /**
   * Takes the socket out of a room it may no longer be in: `removed` tells the client why; when the room
   * still exists, the others get the usual `left` notice.
   */
  revoke(room: string, reason: RemovedEvent['reason']): void {
    if (!this.isMember(room)) return;
    this.rooms.delete(room);
    this.deps.hub.remove(room, this);
    if (this.closed) return;
    this.write(JSON.stringify({ type: 'removed', room, reason } satisfies RemovedEvent));
    if (reason === 'ROOM_ACCESS_DENIED') {
      this.deps.roomsClient
        .leave(room, this.user)
        .catch((err) => this.deps.log.debug({ err, room }, 'leave notice not sent'));
    }
  }

  private replyOk(ref: string, data: unknown): void {
    if (this.closed) return;
    this.write(JSON.stringify({ type: 'reply', ref, ok: true, data } satisfies ReplyOk));
  }

  /** A successful reply whose data is JSON bytes already: spliced in, not parsed and serialized again. */
  private replyOkRaw(ref: string, json: Uint8Array): void {
    if (this.closed) return;
    this.write(replyOkBytes(ref, json, allocFrame));
  }

  /** Answers a frame with an error that names its request id; at debug, logs the refusal (traceAnswer). */
  private refuse(
    ref: string | null,
    requestId: string,
    err: unknown,
    frame?: ClientFrame,
    startedAt = DEBUG_LEVELS.has(this.deps.log.level) ? performance.now() : undefined,
  ): void {
    const error = err instanceof ChatError ? err : new ChatError(ErrorCode.INTERNAL, 'internal error');
    if (!(err instanceof ChatError)) this.deps.log.error({ err, reqId: requestId }, 'frame handling failed');
    if (startedAt !== undefined) this.traceAnswer(requestId, frame, startedAt, error);
    if (this.closed) return;
    const body = { ...error.toJSON(), requestId };
    this.write(JSON.stringify({ type: 'reply', ref, ok: false, error: body } satisfies ReplyError));
  }

  /**
   * One line per frame at debug (the HTTP requests' one line, ServiceLogController in service-kit, is the model):
   * `LOG_LEVEL=debug` shows every frame with its request id, the same id rooms and auth log it under.
   */
  private traceAnswer(requestId: string, frame: ClientFrame | undefined, startedAt: number, error?: ChatError): void {
    const ms = performance.now() - startedAt;
    const type = frame?.type ?? 'frame';
    const room = frame && 'room' in frame ? frame.room : undefined;
    this.deps.log.debug(
      { reqId: requestId, user: this.user.id, type, room, code: error?.code, responseTime: ms },
      `${type}${room ? ` ${room}` : ''} ${error?.code ?? 'ok'} ${ms.toFixed(1)} ms`,
    );
  }
}

function rateLimited(what: string): ChatError {
  return new ChatError(ErrorCode.RATE_LIMITED, `too many ${what}; slow down`);
}

function notInRoom(room: string): ChatError {
  return new ChatError(ErrorCode.NOT_IN_ROOM, `join ${room} first`);
}
