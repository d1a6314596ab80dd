/** All reads and writes of rooms.rooms, and the rule of who may enter a room. */
import {
  ChatError,
  compareRooms,
  ErrorCode,
  isValidRoomId,
  MAX_ROOM_ID_LENGTH,
  type Room,
  type RoomAccess,
  roomEntryRefusal,
  roomRefusalError,
} from '@chat/protocol';
import type { Kysely, Updateable } from 'kysely';
import type { RoomRow, RoomsDatabase, RoomsTable } from '../db/schema.js';
import { slugCandidate, slugify } from './slug.js';

/** Paths under /api/rooms/ that are not rooms: a room with such an id could never be read at /api/rooms/:id. */
const RESERVED_ROOM_IDS = new Set(['health', 'healthz', 'readyz']);

export interface RoomChanges {
  title?: string | undefined;
  staffOnly?: boolean | undefined;
}

export function toRoom(row: Pick<RoomRow, 'id' | 'title' | 'staff_only' | 'epoch'>): Room {
  return { id: row.id, title: row.title, staffOnly: row.staff_only, epoch: row.epoch };
}

export const noSuchRoom = () => roomRefusalError(ErrorCode.ROOM_INVALID);

/** Refuses a user who may not read or join the room, by their flags as they are now. */
export function assertMayEnter(room: { staffOnly: boolean }, user: { isStaff: boolean }): void {
  const refusal = roomEntryRefusal(room, user);
  if (refusal) throw roomRefusalError(refusal);
}

export interface RoomState {
  room: Room;
  /** The room's incarnation (a re-created room has a new one). */
  epoch: number;
  /** The seq of the room's newest message. */
  lastSeq: number;
  /** Bumped by every edit and deletion. */
  historyVersion: number;
}

/** Which recent history a state stands for: equal keys, equal latest messages, in one incarnation of the room. */
export function historyKey({ epoch, lastSeq, historyVersion }: RoomState): string {
  return `${epoch}:${lastSeq}:${historyVersion}`;
}

interface StateWaiter {
  resolve(state: RoomState | undefined): void;
  reject(err: unknown): void;
}

export class RoomStore {
  private stateWaiters = new Map<string, StateWaiter[]>();
  private stateReads: Promise<void> | undefined;

  constructor(private readonly db: Kysely<RoomsDatabase>) {}

  /** Every room, in the order of compareRooms (sorted here: see why in room-order.ts). */
  async list(): Promise<Room[]> {
    const rows = await this.db.selectFrom('rooms').select(['id', 'title', 'staff_only', 'epoch']).execute();
    return rows.map(toRoom).sort(compareRooms);
  }

  /** The room, or undefined for an unknown or malformed id. */
  async find(id: string): Promise<Room | undefined> {
    if (!isValidRoomId(id)) return undefined;
    const row = await this.db
      .selectFrom('rooms')
      .select(['id', 'title', 'staff_only', 'epoch'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toRoom(row);
  }

  /**
   * The room and where its history stands, read from the database after this call: nothing is kept, so a join
   * (or any request that asks who may use a room) is judged by the room as it is, whatever event was lost or
   * overtaken on the way. Reads are batched like commits: the callers that arrive while a read is under way
   * share the next one, one query for every room they ask about, so a join storm costs a read per round trip
   * to Postgres, not one per join.
   */
  async findWithHistoryState(id: string): Promise<RoomState | undefined> {
    if (!isValidRoomId(id)) return undefined;
    return this.readState(id);
  }

  private readState(id: string): Promise<RoomState | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.stateWaiters.get(id);
      if (waiters) waiters.push({ resolve, reject });
      else this.stateWaiters.set(id, [{ resolve, reject }]);
      this.stateReads ??= this.readStates().finally(() => {
        this.stateReads = undefined;
      });
    });
  }

  private async readStates(): Promise<void> {
    while (this.stateWaiters.size > 0) {
      const batch = this.stateWaiters;
      this.stateWaiters = new Map();
      try {
        const rows = await this.db
          .selectFrom('rooms')
          .select(['id', 'title', 'staff_only', 'epoch', 'last_seq', 'history_version'])
          .where('id', 'in', [...batch.keys()])
          .execute();
        const found = new Map(rows.map((row) => [row.id, row]));
        for (const [id, waiters] of batch) {
          const row = found.get(id);
          const state = row && {
            room: toRoom(row),
            epoch: row.epoch,
            lastSeq: row.last_seq,
            historyVersion: row.history_version,
          };
          for (const waiter of waiters) waiter.resolve(state);
        }
      } catch (err) {
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(err);
      }
    }
  }

  /** The rooms among `ids` that exist, read now (never kept): for re-checking who may stay in them. */
  async accessOf(ids: string[]): Promise<RoomAccess[]> {
    const valid = ids.filter(isValidRoomId);
    if (valid.length === 0) return [];
    const rows = await this.db
      .selectFrom('rooms')
      .select(['id', 'epoch', 'staff_only'])
      .where('id', 'in', valid)
      .execute();
    return rows.map((row) => ({ id: row.id, epoch: row.epoch, staffOnly: row.staff_only }));
  }

  async get(id: string): Promise<Room> {
    const room = await this.find(id);
    if (!room) throw noSuchRoom();
    return room;
  }

  /** Creates the room under the first free id among slug, slug-2, slug-3, … */
  async create(title: string, staffOnly = false): Promise<Room> {
    const slug = slugify(title);
    // Every candidate id starts with this; one query shows which are taken.
    const prefix = slug.slice(0, MAX_ROOM_ID_LENGTH - 12);
    for (let attempt = 0; attempt < 5; attempt++) {
      const taken = new Set(
        (await this.db.selectFrom('rooms').select('id').where('id', 'like', `${prefix}%`).execute()).map((r) => r.id),
      );
      let n = 1;
      while (taken.has(slugCandidate(slug, n)) || RESERVED_ROOM_IDS.has(slugCandidate(slug, n))) n++;
      const row = await this.db
        .insertInto('rooms')
        .values({ id: slugCandidate(slug, n), title, staff_only: staffOnly })
        .onConflict((c) => c.column('id').doNothing())
        .returning(['id', 'title', 'staff_only', 'epoch'])
        .executeTakeFirst();
      // No row: another create took the same id in between; look again.
      if (row) return toRoom(row);
    }
    throw new ChatError(ErrorCode.CONFLICT, 'could not find a free id for this room; try again');
  }

  async update(id: string, changes: RoomChanges): Promise<Room> {
    if (!isValidRoomId(id)) throw noSuchRoom();
    const values: Updateable<RoomsTable> = {};
    if (changes.title !== undefined) values.title = changes.title;
    if (changes.staffOnly !== undefined) values.staff_only = changes.staffOnly;
    const row = await this.db
      .updateTable('rooms')
      .set(values)
      .where('id', '=', id)
      .returning(['id', 'title', 'staff_only', 'epoch'])
      .executeTakeFirst();
    if (!row) throw noSuchRoom();
    return toRoom(row);
  }

  /** Deletes the room and, by cascade, its messages; returns the epoch that ended. */
  async delete(id: string): Promise<number> {
    if (!isValidRoomId(id)) throw noSuchRoom();
    const row = await this.db.deleteFrom('rooms').where('id', '=', id).returning('epoch').executeTakeFirst();
    if (!row) throw noSuchRoom();
    return row.epoch;
  }
}
