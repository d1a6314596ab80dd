import type { ColumnType, Selectable } from 'kysely';

export const ROOMS_SCHEMA = 'rooms';

export interface RoomsTable {
  id: string;
  title: string;
  staff_only: ColumnType<boolean, boolean | undefined, boolean>;
  /** The seq of the room's newest message; the message writer advances it for a whole batch at once. */
  last_seq: ColumnType<number, number | undefined, number>;
  /** Bumped by every edit and deletion, so that kept recent history can tell it is out of date. */
  history_version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
  /** The room's incarnation, from a sequence (see migration 0004): a re-created room has a new one. */
  epoch: ColumnType<number, never, never>;
}

export interface MessagesTable {
  id: string;
  room_id: string;
  /** Per room 1, 2, 3, … with no gaps; unique together with room_id. */
  seq: number;
  author_id: string;
  /** The name at the time of writing, so history reads need no other service. */
  author_username: string;
  text: string;
  created_at: ColumnType<Date, Date | string, never>;
  edited_at: ColumnType<Date | null, never, Date | null>;
  /** Deleted messages keep their row (and seq) with empty text, so history never shows a hole. */
  deleted_at: ColumnType<Date | null, never, Date | null>;
}

/** When each gateway process was last heard from (its heartbeats); a silent one is swept (presence/store.ts). */
export interface GatewaysTable {
  id: string;
  seen_at: ColumnType<Date, Date | undefined, Date>;
}

/** A user's sockets in a room on one gateway: the room's members are the distinct users here. */
export interface PresenceTable {
  room_id: string;
  user_id: string;
  /** The gateway process holding the sockets; '' when the joins named none. */
  gateway: string;
  username: string;
  sockets: number;
}

/** Messages committed whose event NATS has not taken yet (migration 0006, messages/outbox.ts). */
export interface UnannouncedTable {
  message_id: string;
  committed_at: ColumnType<Date, never, never>;
}

export interface RoomsDatabase {
  rooms: RoomsTable;
  messages: MessagesTable;
  unannounced: UnannouncedTable;
  gateways: GatewaysTable;
  presence: PresenceTable;
}

export type RoomRow = Selectable<RoomsTable>;
export type MessageRow = Selectable<MessagesTable>;
