/**
 * Group commit of chat messages: the hot path of the system.
 *
 * Sends are queued. While one flush is in flight, new sends accumulate; the next flush takes all of them.
 * A flush is one SQL statement whatever its size: it advances last_seq of every room in the batch
 * (assigning each room a block of consecutive seqs) and inserts every message, atomically. Only once it has
 * committed are the senders answered and the events published, in arrival order, so subscribers see seqs
 * ascending and a message that was announced is always in the store. A failed statement assigns nothing,
 * so seqs never have gaps. Ids and timestamps are made here.
 */
import { randomUUID } from 'node:crypto';
import { type ChatMessage, ChatError, ErrorCode, type UserRef } from '@chat/protocol';
import { RawReply } from '@chat/nats';
import type { DatabasePool } from '@chat/service-kit';
import type { Kysely } from 'kysely';
import { ROOMS_SCHEMA, type RoomsDatabase } from '../db/schema.js';
import type { RoomEvents } from '../nats/room-events.js';
import { noSuchRoom } from '../rooms/store.js';
import { toChatMessage } from './history.js';

export interface MessageWriterOptions {
  /** Most messages in one transaction; more wait for the next flush. */
  maxBatch?: number;
  /** Most messages waiting; beyond this, sends are refused at once instead of queueing without bound. */
  maxQueued?: number;
  logger: { error(obj: object, msg: string): void };
  /** Told of every batch committed: its size, the messages it stored (twins once), and how long it took. */
  onCommit?(batchSize: number, stored: number, seconds: number): void;
}

export interface SendIdentity {
  /** The message id the gateway chose; a new one is made when absent. */
  id?: string | undefined;
  /** True when an earlier attempt of this send may already be stored (by this or another instance). */
  retried?: boolean;
  /** The gateway's id of the request: a batch that fails names the ids of all its requests. */
  requestId?: string | undefined;
}

interface Pending {
  id: string;
  retried: boolean;
  requestId: string | undefined;
  room: string;
  author: UserRef;
  text: string;
  createdAt: string;
  resolve(answer: RawReply): void;
  reject(error: ChatError): void;
}

/**
 * The whole batch in one statement: reserve every room's block of seqs, insert every message. Rooms are locked
 * in id order so that two instances writing to overlapping rooms cannot deadlock. A room missing from `bumped`
 * does not exist (or was just deleted): its messages are not inserted. Columns go as arrays, so the statement
 * has nine parameters for any number of rows; it is named, so each connection plans it once instead of per
 * batch (planning was a third or more of a small batch's time in Postgres).
 */
const GROUP_COMMIT = {
  name: 'rooms.messages.group-commit',
  text: `
    WITH batch AS (
      SELECT * FROM unnest($1::text[], $2::int8[]) AS b(id, n)
    ), locked AS MATERIALIZED (
      SELECT r.id, batch.n FROM ${ROOMS_SCHEMA}.rooms r JOIN batch ON batch.id = r.id ORDER BY r.id FOR UPDATE OF r
    ), bumped AS (
      UPDATE ${ROOMS_SCHEMA}.rooms r SET last_seq = r.last_seq + locked.n FROM locked WHERE r.id = locked.id
      RETURNING r.id, r.last_seq - locked.n AS first_seq_before
    )
    INSERT INTO ${ROOMS_SCHEMA}.messages (id, room_id, seq, author_id, author_username, text, created_at)
    SELECT m.id, m.room_id, bumped.first_seq_before + m.ordinal, m.author_id, m.author_username, m.text, m.created_at
    FROM unnest($3::uuid[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
      AS m(id, room_id, ordinal, author_id, author_username, text, created_at)
    JOIN bumped ON bumped.id = m.room_id
    RETURNING id, seq`,
};

export class MessageWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  /** Messages in the batch being written now. */
  private writing = 0;
  private closed = false;
  private readonly maxBatch: number;
  private readonly maxQueued: number;

  constructor(
    private readonly db: Kysely<RoomsDatabase>,
    private readonly pool: DatabasePool,
    private readonly events: RoomEvents,
    private readonly options: MessageWriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.maxQueued = options.maxQueued ?? 50_000;
  }

  /** Stores the message (text already checked) and resolves once committed, with the stored ChatMessage as JSON. */
  send(room: string, author: UserRef, text: string, identity: SendIdentity = {}): Promise<RawReply> {
    if (this.closed) return Promise.reject(new ChatError(ErrorCode.UNAVAILABLE, 'the message store is shutting down'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new ChatError(ErrorCode.UNAVAILABLE, 'the message store is overloaded; try again'));
    }
    return new Promise((resolve, reject) => {
      const id = identity.id ?? randomUUID();
      const retried = identity.retried ?? false;
      const { requestId } = identity;
      const createdAt = new Date().toISOString();
      this.queue.push({ id, retried, requestId, room, author, text, createdAt, resolve, reject });
      // Deferred to after this turn's I/O, so every send that arrived in the same read joins the first flush.
      this.running ??= new Promise<void>((r) => setImmediate(r)).then(() => this.drain());
    });
  }

  /** Messages accepted and not yet committed (or refused): queued, and in the batch being written. */
  get depth(): number {
    return this.queue.length + this.writing;
  }

  /** Refuses new sends and resolves when every queued message has been written (or refused). */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
        this.queue = this.queue.length <= this.maxBatch ? [] : this.queue.slice(this.maxBatch);
        this.writing = batch.length;
        await this.flush(batch);
      }
    } finally {
      this.writing = 0;
      this.running = undefined;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    let stored: (ChatMessage | undefined)[];
    const startedAt = performance.now();
    try {
      stored = await this.write(batch);
    } catch (err) {
      // Every sender was told UNAVAILABLE with its request id: each finds this line by it.
      const requestIds = batch.flatMap((p) => (p.requestId === undefined ? [] : [p.requestId]));
      this.options.logger.error({ err, messages: batch.length, requestIds }, 'message batch failed');
      const error = new ChatError(ErrorCode.UNAVAILABLE, 'the message store is unavailable');
      for (const pending of batch) pending.reject(error);
      return;
    }
    const seconds = (performance.now() - startedAt) / 1000;
    const published = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      const message = stored[i];
      if (message) {
        // Serialized once: the same text is the sender's answer and the inside of the room's event.
        const json = JSON.stringify(message);
        pending.resolve(new RawReply(json));
        // A retried message is announced again (its first announcement may never have gone out); clients
        // keep one per seq. Twins within one batch are announced once.
        if (!published.has(message.id)) this.publish(pending, message, json);
        published.add(message.id);
      } else {
        pending.reject(noSuchRoom());
      }
    }
    this.options.onCommit?.(batch.length, published.size, seconds);
  }

  private publish({ room, requestId }: Pending, message: ChatMessage, json: string): void {
    try {
      this.events.message(room, json);
    } catch (err) {
      // The message is stored and its sender answered; subscribers catch up through history.
      this.options.logger.error({ err, room, seq: message.seq, reqId: requestId }, 'message event not published');
    }
  }

  /**
   * Stores a batch; returns each pending send's stored message, or undefined when its room does not exist.
   * One statement does it all (reserve every room's block of seqs, insert every message), so a batch costs
   * one round trip to Postgres and is atomic without a transaction block.
   */
  private async write(batch: Pending[]): Promise<(ChatMessage | undefined)[]> {
    // A retried send whose first attempt was stored gets that message back instead of a second copy; so does
    // a send whose id appears twice in one batch. Only retries pay for the lookup.
    const known = await this.alreadyStored(batch);
    const counts = new Map<string, number>();
    const fresh: { index: number; ordinal: number }[] = [];
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      if (known.has(pending.id)) continue;
      known.set(pending.id, undefined);
      const ordinal = (counts.get(pending.room) ?? 0) + 1;
      counts.set(pending.room, ordinal);
      fresh.push({ index: i, ordinal });
    }

    const seqOf = new Map<string, number>();
    if (fresh.length > 0) {
      const column = <T>(pick: (p: Pending, ordinal: number) => T) =>
        fresh.map(({ index, ordinal }) => pick(batch[index] as Pending, ordinal));
      const inserted = await this.pool.query<{ id: string; seq: number }>({
        name: GROUP_COMMIT.name,
        text: GROUP_COMMIT.text,
        values: [
          [...counts.keys()],
          [...counts.values()],
          column((p) => p.id),
          column((p) => p.room),
          column((_, o) => o),
          column((p) => p.author.id),
          column((p) => p.author.username),
          column((p) => p.text),
          column((p) => p.createdAt),
        ],
      });
      for (const row of inserted.rows) seqOf.set(row.id, Number(row.seq));
    }

    return batch.map((pending) => {
      const earlier = known.get(pending.id);
      if (earlier) return earlier;
      const seq = seqOf.get(pending.id);
      if (seq === undefined) return undefined;
      const { id, author, text, createdAt } = pending;
      const message = { id, seq, author: { id: author.id, username: author.username }, text, createdAt };
      known.set(id, message);
      return message;
    });
  }

  private async alreadyStored(batch: Pending[]): Promise<Map<string, ChatMessage | undefined>> {
    const known = new Map<string, ChatMessage | undefined>();
    const retried = batch.filter((p) => p.retried).map((p) => p.id);
    if (retried.length === 0) return known;
    const rows = await this.db.selectFrom('messages').selectAll().where('id', 'in', retried).execute();
    for (const row of rows) known.set(row.id, toChatMessage(row));
    return known;
  }
}
