/**
 * The gateway's view of the rooms service: typed requests over NATS, each with a deadline. `requestId` is the
 * gateway's id of the client's request that this is part of: rooms logs under it (service.ts in packages/nats).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChatError,
  compile,
  ErrorCode,
  GatewayHeartbeatResult,
  JoinHeaders,
  MAX_ACCESS_ROOMS,
  type ResumePosition,
  type RoomAccess,
  RoomAccessResult,
  Subjects,
  type UserRef,
} from '@chat/protocol';
import { type NatsConnection, request, requestRaw } from '@chat/nats';

const RETRY_DELAY_MS = 50;
const validAccessResult = compile(RoomAccessResult);
const validHeartbeatResult = compile(GatewayHeartbeatResult);

export interface JoinAnswer {
  /** The JoinResult as JSON bytes. */
  json: Uint8Array;
  lastSeq: number;
  /** The incarnation of the room the join was granted in: later requests name it. */
  epoch: number;
}

/** Which room (in which incarnation) a request is about: rooms refuses it for any other incarnation. */
export interface RoomRef {
  room: string;
  epoch: number;
}

export class RoomsClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    /** Tries of a send within `timeoutMs` (SEND_ATTEMPTS). */
    private readonly sendAttempts: number,
    /** This gateway process's id: presence counts its sockets under it (and takes them out if it dies). */
    readonly gateway: string,
  ) {}

  /**
   * The join answer stays bytes: its history goes into the client's reply as it came, and what the gateway
   * itself needs (the last seq, the room's epoch) comes in headers. `resume`: where a rejoining client's copy of
   * the room ends; the answer then fills in after it, or resets.
   */
  async join(
    room: string,
    user: UserRef,
    requestId?: string,
    resume?: ResumePosition,
    /** The socket is in the room already: presence does not count it twice. */
    again = false,
  ): Promise<JoinAnswer> {
    const payload = { room, user, gateway: this.gateway, ...(resume && { resume }), ...(again && { again }) };
    const answer = await requestRaw(this.nc, Subjects.rooms.join, payload, this.timeoutMs, requestId);
    const lastSeq = Number(answer.header(JoinHeaders.lastSeq));
    const epoch = Number(answer.header(JoinHeaders.epoch));
    if (!Number.isSafeInteger(lastSeq) || !Number.isSafeInteger(epoch) || epoch < 1) {
      throw new ChatError(ErrorCode.INTERNAL, 'the rooms service answered a join without its headers');
    }
    return { json: answer.data, lastSeq, epoch };
  }

  /** The rooms among `ids` that exist now, by id, read from the store (asked in chunks the endpoint takes). */
  async access(ids: Iterable<string>): Promise<Map<string, RoomAccess>> {
    const all = [...new Set(ids)];
    const chunks: string[][] = [];
    for (let i = 0; i < all.length; i += MAX_ACCESS_ROOMS) chunks.push(all.slice(i, i + MAX_ACCESS_ROOMS));
    const answers = await Promise.all(
      chunks.map((rooms) => request<unknown>(this.nc, Subjects.rooms.access, { rooms }, this.timeoutMs)),
    );
    const found = new Map<string, RoomAccess>();
    for (const answer of answers) {
      if (!validAccessResult.check(answer)) {
        throw new ChatError(ErrorCode.INTERNAL, 'the rooms service answered rooms.access unexpectedly');
      }
      for (const room of answer.rooms) found.set(room.id, room);
    }
    return found;
  }

  leave(room: string, user: UserRef, requestId?: string): Promise<unknown> {
    return request(this.nc, Subjects.rooms.leave, { room, user, gateway: this.gateway }, this.timeoutMs, requestId);
  }

  /** A page of the room's members (MembersResult) as JSON bytes, for the client's reply unparsed. */
  async members(room: string, user: UserRef, after: string | undefined, requestId?: string): Promise<Uint8Array> {
    return (await requestRaw(this.nc, Subjects.rooms.members, { room, user, after }, this.timeoutMs, requestId)).data;
  }

  /** Tells the rooms service this gateway is alive; false when it had been taken for dead (or is new). */
  async heartbeat(): Promise<boolean> {
    const answer = await request<unknown>(this.nc, Subjects.rooms.heartbeat, { gateway: this.gateway }, this.timeoutMs);
    if (!validHeartbeatResult.check(answer)) {
      throw new ChatError(ErrorCode.INTERNAL, 'the rooms service answered rooms.heartbeat unexpectedly');
    }
    return answer.known;
  }

  /**
   * Sends are retried when the rooms service did not answer (an instance died mid-request, a broker blip),
   * within the one request deadline: each attempt gets its share of it. Every attempt carries one message id,
   * the client's (so that its own retries are the same send as these) or else one chosen here, so however many
   * attempts reach the store, the message is stored once. The stored message comes back as the rooms service
   * serialized it (a ChatMessage as JSON bytes): it goes into the sender's reply unparsed.
   */
  async send(
    { room, epoch }: RoomRef,
    author: UserRef,
    text: string,
    requestId?: string,
    messageId?: string,
  ): Promise<Uint8Array> {
    const id = messageId ?? randomUUID();
    const deadline = Date.now() + this.timeoutMs;
    const attemptTimeout = Math.ceil(this.timeoutMs / this.sendAttempts);
    for (let attempt = 1; ; attempt++) {
      const timeout = Math.min(attemptTimeout, deadline - Date.now());
      try {
        const payload = { room, epoch, author, text, id, attempt };
        // Every attempt names the same request: rooms logs them all under one id.
        return (await requestRaw(this.nc, Subjects.rooms.send, payload, timeout, requestId)).data;
      } catch (err) {
        const retriable = err instanceof ChatError && err.code === ErrorCode.UNAVAILABLE;
        if (!retriable || attempt >= this.sendAttempts || deadline - Date.now() < RETRY_DELAY_MS * 2) throw err;
        await sleep(RETRY_DELAY_MS);
      }
    }
  }

  /** The edited message, as JSON bytes (see `send`). */
  async edit(
    { room, epoch }: RoomRef,
    id: string,
    user: UserRef,
    text: string,
    requestId?: string,
  ): Promise<Uint8Array> {
    const payload = { room, epoch, id, user, text };
    return (await requestRaw(this.nc, Subjects.rooms.edit, payload, this.timeoutMs, requestId)).data;
  }

  /** The deleted message's tombstone, as JSON bytes (see `send`). */
  async delete({ room, epoch }: RoomRef, id: string, user: UserRef, requestId?: string): Promise<Uint8Array> {
    return (await requestRaw(this.nc, Subjects.rooms.delete, { room, epoch, id, user }, this.timeoutMs, requestId))
      .data;
  }

  /**
   * A page of history as the rooms service serialized it: the gateway forwards the bytes, it never reads them.
   * The reader is named: rooms answers only a user who may enter the room now.
   */
  async history(
    { room, epoch }: RoomRef,
    user: UserRef,
    before: number | undefined,
    limit: number | undefined,
    requestId?: string,
  ): Promise<Uint8Array> {
    const payload = { room, epoch, user, before, limit };
    return (await requestRaw(this.nc, Subjects.rooms.history, payload, this.timeoutMs, requestId)).data;
  }
}
