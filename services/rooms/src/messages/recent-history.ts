/**
 * The latest messages of each room, kept serialized: a join storm asks for the same few rooms' history
 * thousands of times, and the answer only changes when a message is written, edited or deleted.
 *
 * Entries are keyed by the room's history state (last_seq and history_version), which every join reads
 * afresh from the rooms row: a kept answer is served only when it is exactly as new as that read, so a
 * joiner never gets history older than the moment it asked. That holds across instances too, since the
 * state lives in the database, not here. Lookups for the same state share one query.
 */
import { HISTORY_ON_JOIN } from '@chat/protocol';
import type { MessageHistory } from './history.js';

const MAX_ROOMS_KEPT = 10_000;

export class RecentHistory {
  private readonly kept = new Map<string, { key: string; json: Promise<string> }>();

  constructor(private readonly history: MessageHistory) {}

  /** The latest HISTORY_ON_JOIN messages of the room as a JSON array, as of `key`. */
  json(roomId: string, key: string): Promise<string> {
    const entry = this.kept.get(roomId);
    if (entry?.key === key) return entry.json;
    const json = this.history.page(roomId, { limit: HISTORY_ON_JOIN }).then((messages) => JSON.stringify(messages));
    if (this.kept.size >= MAX_ROOMS_KEPT) this.kept.clear();
    const fresh = { key, json };
    this.kept.set(roomId, fresh);
    json.catch(() => {
      if (this.kept.get(roomId) === fresh) this.kept.delete(roomId);
    });
    return json;
  }
}
