/**
 * Group commit of chat messages: the hot path of the system.
 *
 * Sends are queued. While one flush is in flight, new sends accumulate; the next flush takes all of them.
 * A flush is one SQL statement whatever its size: it advances last_seq of every room in the batch
 * (assigning each room a block of consecutive seqs), inserts every message and marks each one unannounced
 * (the outbox), atomically. Only once it has committed are the senders answered and the events published, in
 * arrival order, so subscribers see seqs ascending and a message that was announced is always in the store.
 * A failed statement assigns nothing, so seqs never have gaps. Timestamps are made here, and ids when the
 * sender chose none.
 *
 * A message id is stored once (it is the primary key): a send whose id is stored already is answered with
 * the stored message and stores nothing, whether it is a retry, a client's repeat, or a twin in the same batch
 * or at another instance. Only retries look before writing; any other send finds out from the statement,
 * which fails as a whole on a taken id and is written again without it.
 *
 * Who may write in the room is judged by the same statement, from the room's row as it locks it: a message is
 * stored only when the room exists in the incarnation its sender joined and, when the room is staff-only, its
 * author is staff (by the flags the caller looked up). So a send never rests on a kept copy of the room, and the
 * check costs no extra round trip.
 */
import { randomUUID } from 'node:crypto';
import {
  type ChatMessage,
  ChatError,
  ErrorCode,
  roomEntryRefusal,
  roomRefusalError,
  type UserRef,
} from '@chat/protocol';
import { RawReply } from '@chat/nats';
import type { DatabasePool } from '@chat/service-kit';
import type { Kysely } from 'kysely';
import { ROOMS_SCHEMA, type RoomsDatabase } from '../db/schema.js';
import type { RoomEvents } from '../nats/room-events.js';
import { noSuchRoom } from '../rooms/store.js';
import { toChatMessage } from './history.js';
import type { Outbox } from './outbox.js';

export interface MessageWriterOptions {
  /** Most messages in one transaction; more wait for the next flush. */
  maxBatch?: number;
  /** Most messages waiting; beyond this, sends are refused at once instead of queueing without bound. */
  maxQueued?: number;
  logger: { error(obj: object, msg: string): void };
  /** Told of every batch committed: its size, the messages it stored (twins once), and how long it took. */
  onCommit?(batchSize: number, stored: number, seconds: number): void;
  /** Called between a commit and its answers and events, with what it stored (a fault test's hook). */
  afterCommit?(stored: ChatMessage[]): void;
}

/** Who is writing, as the statement judges them against the room's row. */
export interface WriteAccess {
  /** The room's incarnation the sender joined; absent: whichever exists. */
  epoch?: number | undefined;
  /** The author's staff flag as it is now: staff-only rooms take only staff's messages. */
  isStaff: boolean;
}

export interface SendIdentity {
  /** The message id the client or the gateway chose; a new one is made when absent. */
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
  access: WriteAccess;
  author: UserRef;
  text: string;
  createdAt: string;
  resolve(answer: RawReply): void;
  reject(error: ChatError): void;
}

/** A message in the store, with what a send of the same id is checked against. */
interface Stored {
  room: string;
  authorId: string;
  message: ChatMessage;
  /** Its event may not have gone out (it is in the outbox): whoever answers it announces it. */
  unannounced: boolean;
}

/** What a send comes to: the message stored under its id, or why it is refused. */
type Outcome = Stored | ChatError;

/**
 * How often a batch is written again after its statement met an id stored meanwhile (by another batch
 * elsewhere, or a deadlock between two such): each time, the ids taken are looked up and left out.
 */
const MAX_COLLISION_TRIES = 4;
const UNIQUE_VIOLATION = '23505';
const DEADLOCK_DETECTED = '40P01';

/**
 * The whole batch in one statement: lock every room of the batch, keep the messages their authors may write
 * there (the room exists in the epoch the sender joined; a staff-only room takes staff's only), reserve every
 * room's block of seqs for those, insert them. Rooms are locked in id order so that two instances writing to
 * overlapping rooms cannot deadlock. Seqs are numbered here, among the messages kept, so a refused message
 * leaves no hole. Besides the stored messages' ids and seqs it returns each locked room's epoch and flag (rows
 * with a null seq), from which the refused are told why. Columns go as arrays, so the statement has ten
 * parameters for any number of rows; it is named, so each connection plans it once instead of per batch
 * (planning was a third or more of a small batch's time in Postgres).
 */
const GROUP_COMMIT = {
  name: 'rooms.messages.group-commit',
  text: `
    WITH locked AS MATERIALIZED (
      SELECT r.id, r.epoch, r.staff_only FROM ${ROOMS_SCHEMA}.rooms r WHERE r.id = ANY($1::text[])
      ORDER BY r.id FOR UPDATE
    ), kept AS (
      SELECT m.*, row_number() OVER (PARTITION BY m.room_id ORDER BY m.k) AS ordinal
      FROM unnest($2::uuid[], $3::text[], $4::int8[], $5::bool[], $6::text[], $7::text[], $8::text[],
          $9::timestamptz[]) WITH ORDINALITY
        AS m(id, room_id, epoch, is_staff, author_id, author_username, text, created_at, k)
      JOIN locked ON locked.id = m.room_id
      WHERE (m.epoch IS NULL OR m.epoch = locked.epoch) AND (m.is_staff OR NOT locked.staff_only)
    ), counts AS (
      SELECT room_id, count(*) AS n FROM kept GROUP BY room_id
    ), bumped AS (
      UPDATE ${ROOMS_SCHEMA}.rooms r SET last_seq = r.last_seq + counts.n FROM counts WHERE r.id = counts.room_id
      RETURNING r.id, r.last_seq - counts.n AS first_seq_before
    ), stored AS (
      INSERT INTO ${ROOMS_SCHEMA}.messages (id, room_id, seq, author_id, author_username, text, created_at)
      SELECT kept.id, kept.room_id, bumped.first_seq_before + kept.ordinal, kept.author_id, kept.author_username,
        kept.text, kept.created_at
      FROM kept JOIN bumped ON bumped.id = kept.room_id
      RETURNING id, seq
    ), outbox AS (
      INSERT INTO ${ROOMS_SCHEMA}.unannounced (message_id) SELECT id FROM stored
    )
    SELECT id::text AS id, seq, NULL::int8 AS epoch, NULL::bool AS staff_only FROM stored
    UNION ALL
    SELECT id, NULL, epoch, staff_only FROM locked`,
};

/** A row of the statement's answer: a stored message (seq set), or a locked room (epoch and flag set). */
interface CommitRow {
  id: string;
  seq: number | null;
  epoch: number | null;
  staff_only: boolean | null;
}

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
    /** Told which messages were announced, so that their outbox rows go once NATS has the events. */
    private readonly outbox: Pick<Outbox, 'announced'>,
    private readonly options: MessageWriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 2000;
    this.maxQueued = options.maxQueued ?? 50_000;
  }

  /**
   * Stores the message (text already checked) and resolves once committed, with the stored ChatMessage as JSON;
   * refuses it, as a join would be, when `access` may not write in the room as it is when stored.
   */
  send(
    room: string,
    author: UserRef,
    text: string,
    access: WriteAccess,
    identity: SendIdentity = {},
  ): Promise<RawReply> {
    if (this.closed) return Promise.reject(new ChatError(ErrorCode.UNAVAILABLE, 'the message store is shutting down'));
    if (this.queue.length >= this.maxQueued) {
      return Promise.reject(new ChatError(ErrorCode.UNAVAILABLE, 'the message store is overloaded; try again'));
    }
    return new Promise((resolve, reject) => {
      const id = identity.id ?? randomUUID();
      const retried = identity.retried ?? false;
      const { requestId } = identity;
      const createdAt = new Date().toISOString();
      this.queue.push({ id, retried, requestId, room, access, author, text, createdAt, resolve, reject });
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
    let written: { outcomes: Outcome[]; stored: ChatMessage[] };
    const startedAt = performance.now();
    try {
      written = await this.write(batch);
    } catch (err) {
      // Every sender was told UNAVAILABLE with its request id: each finds this line by it.
      const requestIds = batch.flatMap((p) => (p.requestId === undefined ? [] : [p.requestId]));
      this.options.logger.error({ err, messages: batch.length, requestIds }, 'message batch failed');
      const error = new ChatError(ErrorCode.UNAVAILABLE, 'the message store is unavailable');
      for (const pending of batch) pending.reject(error);
      return;
    }
    this.options.afterCommit?.(written.stored);
    const seconds = (performance.now() - startedAt) / 1000;
    const announced = new Set<string>();
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      const outcome = written.outcomes[i] as Outcome;
      if (outcome instanceof ChatError) {
        pending.reject(outcome);
        continue;
      }
      const { message } = outcome;
      // Serialized once: the same text is the sender's answer and the inside of the room's event.
      const json = JSON.stringify(message);
      pending.resolve(new RawReply(json));
      // New messages, and a repeated one whose first announcement may never have gone out (its outbox row is
      // still there), are announced; twins within one batch once. Gateways drop a message they delivered.
      if (outcome.unannounced && !announced.has(message.id) && this.publish(pending, message, json)) {
        announced.add(message.id);
      }
    }
    this.outbox.announced([...announced]);
    this.options.onCommit?.(batch.length, written.stored.length, seconds);
  }

  /** False when the event could not be handed to NATS: its outbox row stays, and the outbox announces it. */
  private publish({ room, requestId }: Pending, message: ChatMessage, json: string): boolean {
    try {
      this.events.message(room, json, message.seq);
      return true;
    } catch (err) {
      this.options.logger.error({ err, room, seq: message.seq, reqId: requestId }, 'message event not published');
      return false;
    }
  }

  /**
   * Stores a batch; returns each pending send's outcome and the messages stored now. One statement does it all
   * (reserve every room's block of seqs, insert every message, mark them unannounced), so a batch costs one
   * round trip to Postgres and is atomic without a transaction block. When the statement meets an id that is
   * stored already, it stored nothing: the batch's ids are looked up, and the rest is written again.
   */
  private async write(batch: Pending[]): Promise<{ outcomes: Outcome[]; stored: ChatMessage[] }> {
    // A retried send was probably stored by its first attempt: those look first.
    let known = await this.lookUp(batch.filter((p) => p.retried));
    for (let tries = 1; ; tries++) {
      try {
        return await this.insert(batch, known);
      } catch (err) {
        if (!isIdCollision(err) || tries >= MAX_COLLISION_TRIES) throw err;
        known = await this.lookUp(batch);
      }
    }
  }

  private async insert(
    batch: Pending[],
    known: Map<string, Stored>,
  ): Promise<{ outcomes: Outcome[]; stored: ChatMessage[] }> {
    const rooms = new Set<string>();
    const fresh: number[] = [];
    /** Where each id first appears in the batch: a later twin gets what that one gets. */
    const first = new Map<string, number>();
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      if (known.has(pending.id) || first.has(pending.id)) continue;
      first.set(pending.id, i);
      rooms.add(pending.room);
      fresh.push(i);
    }

    const seqOf = new Map<string, number>();
    /** The batch's rooms that exist, as locked by the statement. */
    const roomsNow = new Map<string, { epoch: number; staffOnly: boolean }>();
    if (fresh.length > 0) {
      const column = <T>(pick: (p: Pending) => T) => fresh.map((index) => pick(batch[index] as Pending));
      const answer = await this.pool.query<CommitRow>({
        name: GROUP_COMMIT.name,
        text: GROUP_COMMIT.text,
        values: [
          [...rooms],
          column((p) => p.id),
          column((p) => p.room),
          column((p) => p.access.epoch ?? null),
          column((p) => p.access.isStaff),
          column((p) => p.author.id),
          column((p) => p.author.username),
          column((p) => p.text),
          column((p) => p.createdAt),
        ],
      });
      for (const row of answer.rows) {
        if (row.seq !== null) seqOf.set(row.id, Number(row.seq));
        else roomsNow.set(row.id, { epoch: Number(row.epoch), staffOnly: row.staff_only === true });
      }
    }

    const stored: ChatMessage[] = [];
    const outcomes: Outcome[] = [];
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as Pending;
      const earlier = known.get(pending.id);
      const firstIndex = first.get(pending.id) as number;
      const seq = seqOf.get(pending.id);
      if (earlier) {
        outcomes.push(checkRepeat(pending, earlier));
      } else if (firstIndex !== i) {
        const original = outcomes[firstIndex] as Outcome;
        outcomes.push(original instanceof ChatError ? original : checkRepeat(pending, original));
      } else if (seq === undefined) {
        outcomes.push(refusal(roomsNow.get(pending.room), pending.access));
      } else {
        const { id, room, author, text, createdAt } = pending;
        const message = { id, seq, author: { id: author.id, username: author.username }, text, createdAt };
        stored.push(message);
        outcomes.push({ room, authorId: author.id, message, unannounced: true });
      }
    }
    return { outcomes, stored };
  }

  /** The stored messages among the batch's ids, each with whether it is still waiting to be announced. */
  private async lookUp(sends: Pending[]): Promise<Map<string, Stored>> {
    const known = new Map<string, Stored>();
    if (sends.length === 0) return known;
    const rows = await this.db
      .selectFrom('messages')
      .leftJoin('unannounced', 'unannounced.message_id', 'messages.id')
      .selectAll('messages')
      .select('unannounced.message_id as outboxed')
      .where(
        'messages.id',
        'in',
        sends.map((p) => p.id),
      )
      .execute();
    for (const row of rows) {
      const message = toChatMessage(row);
      known.set(row.id, { room: row.room_id, authorId: row.author_id, message, unannounced: row.outboxed !== null });
    }
    return known;
  }
}

/**
 * A send whose id is stored already gets that message, but only as a repeat of the same send: the same room and
 * the same author. Message ids are seen by every member of a room, so anything else is refused, never answered
 * with someone else's message.
 */
function checkRepeat(pending: Pending, stored: Stored): Outcome {
  if (stored.room !== pending.room) {
    return new ChatError(
      ErrorCode.BAD_REQUEST,
      `message id ${pending.id} is taken by a message in another room; a new message needs a new id`,
    );
  }
  if (stored.authorId !== pending.author.id) {
    return new ChatError(
      ErrorCode.BAD_REQUEST,
      `message id ${pending.id} is taken by another user's message; a new message needs a new id`,
    );
  }
  return stored;
}

/** Why the statement did not store a message: the room as it found it (undefined: no such room) refuses it. */
function refusal(room: { epoch: number; staffOnly: boolean } | undefined, access: WriteAccess): ChatError {
  const why = roomEntryRefusal(room, access, access.epoch);
  return why ? roomRefusalError(why) : noSuchRoom();
}

/** The statement met an id stored since the batch was planned (or deadlocked with the batch that stored it). */
function isIdCollision(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === UNIQUE_VIOLATION || code === DEADLOCK_DETECTED;
}
