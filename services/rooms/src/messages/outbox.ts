/**
 * No committed message is left unannounced. The group commit marks every message it stores unannounced (a row in
 * rooms.unannounced, in the same statement); once its event is published and NATS has taken it (a flush: the
 * server answered a PING sent after it), the row goes. A rooms instance that dies between its commit and that
 * point leaves rows behind: every instance looks for rows older than the grace period, when it starts and then
 * every second, claims them (FOR UPDATE SKIP LOCKED, so two instances never take the same rows), announces them in
 * seq order, and deletes them once NATS has taken the events.
 *
 * A row can outlive its announcement (an instance that dies after the flush, before the delete; an owner slower
 * than the grace period): the message is then announced twice, and gateways deliver a seq once (hub.ts). So each
 * live member gets every message exactly once, the ones a dead instance left within GRACE_MS + SWEEP_EVERY_MS
 * (and the time one batch of them takes).
 */
import { sql, type Kysely } from 'kysely';
import type { RoomsDatabase } from '../db/schema.js';
import type { RoomEvents } from '../nats/room-events.js';
import { toChatMessage } from './history.js';

/** How old an unannounced row must be before another instance announces it: its owner has had time to. */
export const GRACE_MS = 1000;
/** How often each instance looks for rows left behind. */
export const SWEEP_EVERY_MS = 1000;
/** Most rows one sweep announces; a longer backlog goes on at the next sweep. */
const SWEEP_BATCH = 500;

export interface OutboxOptions {
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  graceMs?: number;
  sweepEveryMs?: number;
}

export class Outbox {
  private toClear: string[] = [];
  private clearing: Promise<void> | undefined;
  private sweeping: Promise<unknown> | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly graceMs: number;

  constructor(
    private readonly db: Kysely<RoomsDatabase>,
    private readonly events: Pick<RoomEvents, 'message'>,
    /** Resolves once NATS has taken everything published before it was called. */
    private readonly flushed: () => Promise<void>,
    private readonly options: OutboxOptions,
  ) {
    this.graceMs = options.graceMs ?? GRACE_MS;
  }

  /**
   * The events of these messages were just published: their rows go once NATS has them. Batches that come while
   * one delete is under way are cleared together by the next, so this costs one round trip to NATS and one
   * statement per group of batches, off the senders' path.
   */
  announced(ids: string[]): void {
    if (ids.length === 0) return;
    for (const id of ids) this.toClear.push(id);
    this.clearing ??= this.clear();
  }

  /** Sweeps now and then every SWEEP_EVERY_MS, until close. */
  start(): void {
    this.sweepNow();
    this.timer = setInterval(() => this.sweepNow(), this.options.sweepEveryMs ?? SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** Stops sweeping and waits for what is under way, so that what this instance announced is cleared. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
    await this.clearing;
  }

  /** Announces the messages left unannounced longer than the grace period; resolves with how many. */
  async sweep(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('unannounced')
        .innerJoin('messages', 'messages.id', 'unannounced.message_id')
        .selectAll('messages')
        .where('unannounced.committed_at', '<', sql<Date>`now() - make_interval(secs => ${this.graceMs / 1000})`)
        .orderBy('messages.room_id')
        .orderBy('messages.seq')
        .limit(SWEEP_BATCH)
        .forUpdate('unannounced')
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      for (const row of rows) this.events.message(row.room_id, JSON.stringify(toChatMessage(row)), Number(row.seq));
      await this.flushed();
      const ids = rows.map((row) => row.id);
      await trx.deleteFrom('unannounced').where('message_id', 'in', ids).execute();
      const rooms = [...new Set(rows.map((row) => row.room_id))];
      this.options.logger.info({ messages: rows.length, rooms }, 'announced messages left unannounced');
      return rows.length;
    });
  }

  private sweepNow(): void {
    if (this.sweeping) return;
    this.sweeping = this.sweep()
      .catch((err: unknown) => this.options.logger.warn({ err }, 'unannounced messages not swept; trying again'))
      .finally(() => {
        this.sweeping = undefined;
      });
  }

  private async clear(): Promise<void> {
    try {
      while (this.toClear.length > 0) {
        const ids = this.toClear;
        this.toClear = [];
        try {
          await this.flushed();
          await this.db.deleteFrom('unannounced').where('message_id', 'in', ids).execute();
        } catch (err) {
          // The rows stay, and a sweep announces those messages again: gateways drop what they delivered.
          this.options.logger.warn({ err, messages: ids.length }, 'announced messages not cleared from the outbox');
        }
      }
    } finally {
      this.clearing = undefined;
    }
  }
}
