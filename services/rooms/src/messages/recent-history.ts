/**
 * The latest messages of each room, kept serialized: a join storm asks for the same few rooms' history
 * thousands of times, and the answer only changes when a message is written, edited or deleted.
 *
 * Entries are keyed by the room's history state (epoch, last_seq and history_version), which every join reads
 * afresh from the rooms row: a kept answer is served only when it is exactly as new as that read, so a
 * joiner never gets history older than the moment it asked, nor that of a deleted room with the same id (a
 * re-created room has a new epoch). That holds across instances too, since the state lives in the
 * database, not here. Lookups for the same state share one query; a room's entries go when it is deleted.
 */
import { HISTORY_ON_JOIN, joinResultJson } from '@chat/protocol';
import { LRUCache } from 'lru-cache';
import { historyKey, type RoomState } from '../rooms/store.js';
import type { MessageHistory } from './history.js';

const MAX_ROOMS_KEPT = 10_000;
const encoder = new TextEncoder();

/** A kept message: serialized once, with its seq so a rejoin can take those after its own. */
interface KeptMessage {
  seq: number;
  json: string;
}

const arrayJson = (messages: readonly KeptMessage[]) => `[${messages.map((m) => m.json).join(',')}]`;

export class RecentHistory {
  private readonly messages = new KeptByRoom<readonly KeptMessage[]>();
  private readonly answers = new KeptByRoom<Uint8Array>();

  constructor(private readonly history: MessageHistory) {}

  /** The room changed or is gone: nothing kept of it is served again. */
  forget(roomId: string): void {
    this.messages.delete(roomId);
    this.answers.delete(roomId);
  }

  /** The latest HISTORY_ON_JOIN messages of the room as a JSON array, as of its state (a rejoin's reset). */
  async latestJson(state: RoomState): Promise<string> {
    return arrayJson(await this.latest(state));
  }

  /**
   * The messages after `since`, up to the state's last seq, as a JSON array, when the kept latest messages hold
   * every one of them: the rejoins of a reconnect storm, each a few messages behind, are served without a read.
   * Undefined when they do not (the rejoin reads the store).
   */
  async afterJson(state: RoomState, since: number): Promise<string | undefined> {
    const missed = state.lastSeq - since;
    if (missed > HISTORY_ON_JOIN) return undefined;
    const after = (await this.latest(state)).filter(({ seq }) => seq > since && seq <= state.lastSeq);
    // Seqs have no holes (a deleted message keeps its row): as many as missed is every one of them.
    return after.length === missed ? arrayJson(after) : undefined;
  }

  /**
   * The latest HISTORY_ON_JOIN messages of the room's incarnation, as of its state (kept apart from the room,
   * so that renaming a room does not read its history again).
   */
  private latest(state: RoomState): Promise<readonly KeptMessage[]> {
    const { id } = state.room;
    return this.messages.get(id, historyKey(state), () =>
      this.history
        .page(id, { limit: HISTORY_ON_JOIN, epoch: state.epoch })
        .then((messages) => messages.map((message) => ({ seq: message.seq, json: JSON.stringify(message) }))),
    );
  }

  /**
   * The whole join answer ({room, messages}) as of `key`, encoded once: the joins of a storm share the same
   * bytes instead of each building and encoding ten kilobytes (which also kept the collector busy).
   */
  joinAnswer(state: RoomState): Promise<Uint8Array> {
    const { room } = state;
    const key = historyKey(state);
    const roomJson = JSON.stringify(room);
    return this.answers.get(room.id, `${key}|${roomJson}`, () =>
      this.latestJson(state).then((messages) => encoder.encode(joinResultJson(roomJson, messages))),
    );
  }
}

/** One kept value per room, valid for one key; a failed computation is forgotten, not kept. */
class KeptByRoom<T> {
  private readonly kept = new LRUCache<string, { key: string; value: Promise<T> }>({ max: MAX_ROOMS_KEPT });

  get(roomId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const entry = this.kept.get(roomId);
    if (entry?.key === key) return entry.value;
    const value = compute();
    const fresh = { key, value };
    this.kept.set(roomId, fresh);
    value.catch(() => {
      if (this.kept.get(roomId) === fresh) this.kept.delete(roomId);
    });
    return value;
  }

  delete(roomId: string): void {
    this.kept.delete(roomId);
  }
}
