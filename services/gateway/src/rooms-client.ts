/** The gateway's view of the rooms service: typed requests over NATS, each with a deadline. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChatError, ErrorCode, JoinHeaders, type UserRef, Subjects } from '@chat/protocol';
import { type NatsConnection, request, requestRaw } from '@chat/nats';

const RETRY_DELAY_MS = 50;

export interface JoinAnswer {
  /** The JoinResult as JSON bytes. */
  json: Uint8Array;
  lastSeq: number;
  staffOnly: boolean;
}

export class ServicesClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
    private readonly sendAttempts = 3,
  ) {}

  /**
   * The join answer stays bytes: its history goes into the client's reply as it came, and what the gateway
   * itself needs (the last seq, staff-only) comes in headers.
   */
  async join(room: string, user: UserRef): Promise<JoinAnswer> {
    const answer = await requestRaw(this.nc, Subjects.rooms.join, { room, user }, this.timeoutMs);
    const lastSeq = Number(answer.header(JoinHeaders.lastSeq));
    const staffOnly = answer.header(JoinHeaders.staffOnly);
    if (!Number.isSafeInteger(lastSeq) || staffOnly === undefined) {
      throw new ChatError(ErrorCode.INTERNAL, 'the rooms service answered a join without its headers');
    }
    return { json: answer.data, lastSeq, staffOnly: staffOnly === 'true' };
  }

  leave(room: string, user: UserRef): Promise<unknown> {
    return request(this.nc, Subjects.rooms.leave, { room, user }, this.timeoutMs);
  }

  /**
   * Sends are retried when the rooms service did not answer (an instance died mid-request, a broker blip),
   * within the one request deadline: each attempt gets its share of it. The message id is chosen here, so
   * however many attempts reach the store, the message is stored once. The stored message comes back as the
   * rooms service serialized it (a ChatMessage as JSON bytes): it goes into the sender's reply unparsed.
   */
  async send(room: string, author: UserRef, text: string): Promise<Uint8Array> {
    const id = randomUUID();
    const deadline = Date.now() + this.timeoutMs;
    const attemptTimeout = Math.ceil(this.timeoutMs / this.sendAttempts);
    for (let attempt = 1; ; attempt++) {
      const timeout = Math.min(attemptTimeout, deadline - Date.now());
      try {
        const payload = { room, author, text, id, attempt };
        return (await requestRaw(this.nc, Subjects.rooms.send, payload, timeout)).data;
      } catch (err) {
        const retriable = err instanceof ChatError && err.code === ErrorCode.UNAVAILABLE;
        if (!retriable || attempt >= this.sendAttempts || deadline - Date.now() < RETRY_DELAY_MS * 2) throw err;
        await sleep(RETRY_DELAY_MS);
      }
    }
  }

  /** The edited message, as JSON bytes (see `send`). */
  async edit(room: string, id: string, user: UserRef, text: string): Promise<Uint8Array> {
    return (await requestRaw(this.nc, Subjects.rooms.edit, { room, id, user, text }, this.timeoutMs)).data;
  }

  /** The deleted message's tombstone, as JSON bytes (see `send`). */
  async delete(room: string, id: string, user: UserRef): Promise<Uint8Array> {
    return (await requestRaw(this.nc, Subjects.rooms.delete, { room, id, user }, this.timeoutMs)).data;
  }

  /** A page of history as the rooms service serialized it: the gateway forwards the bytes, it never reads them. */
  async history(room: string, before: number | undefined, limit: number | undefined): Promise<Uint8Array> {
    return (await requestRaw(this.nc, Subjects.rooms.history, { room, before, limit }, this.timeoutMs)).data;
  }
}
