/**
 * The latest messages of each room, kept serialized: a join storm asks for the same few rooms' history
 * thousands of times, and the answer only changes when a message is written, edited or deleted.
 *
 * Entries are keyed by the room's history state (last_seq and history_version), which every join reads
 * afresh from the rooms row: a kept answer is served only when it is exactly as new as that read, so a
 * joiner never gets history older than the moment it asked. That holds across instances too, since the
 * state lives in the database, not here. Lookups for the same state share one query.
 */
import { HISTORY_ON_JOIN, type Room } from '@chat/protocol';
import type { MessageHistory } from './history.js';

const MAX_ROOMS_KEPT = 10_000;
const encoder = new TextEncoder();

export class RecentHistory {
  private readonly messages = new KeptByRoom<string>();
  private readonly answers = new KeptByRoom<Uint8Array>();

  constructor(private readonly history: MessageHistory) {}

  /** The latest HISTORY_ON_JOIN messages of the room as a JSON array, as of `key` (kept apart from the room, so
   * that renaming a room does not read its history again). */
  private json(roomId: string, key: string): Promise<string> {
    return this.messages.get(roomId, key, () =>
      this.history.page(roomId, { limit: HISTORY_ON_JOIN }).then((messages) => JSON.stringify(messages)),
    );
  }

  /**
   * The whole join answer ({room, messages}) as of `key`, encoded once: the joins of a storm share the same
   * bytes instead of each building and encoding ten kilobytes (which also kept the collector busy).
   */
  joinAnswer(room: Room, key: string): Promise<Uint8Array> {
    const roomJson = JSON.stringify(room);
    return this.answers.get(room.id, `${key}|${roomJson}`, () =>
      this.json(room.id, key).then((messages) => encoder.encode(`{"room":${roomJson},"messages":${messages}}`)),
    );
  }
}

/** One kept value per room, valid for one key; a failed computation is forgotten, not kept. */
class KeptByRoom<T> {
  private readonly kept = new Map<string, { key: string; value: Promise<T> }>();

  get(roomId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.kept.get(roomId);
    if (entry?.key === key) return entry.value;
    const value = compute();
    if (this.kept.size >= MAX_ROOMS_KEPT) this.kept.clear();
    const fresh = { key, value };
    this.kept.set(roomId, fresh);
    value.catch(() => {
      if (this.kept.get(roomId) === fresh) this.kept.delete(roomId);
    });
    return value;
  }
}
