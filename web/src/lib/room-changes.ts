/** Keeps a room list as the REST API would list it now, given the gateway's `rooms-changed` frames. */
import type { Room, RoomsChangedFrame } from '@chat/protocol';

/**
 * The REST list's order: by title, then id. Plain code-unit comparison rather than localeCompare, because the
 * database compares titles by code point (the C collation of our databases; musl's collations in the Alpine
 * Postgres image do the same), and a room placed by any other rule would jump elsewhere on the next refresh.
 */
export function compareRooms(a: Room, b: Room): number {
  if (a.title !== b.title) return a.title < b.title ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

/**
 * The list after one change, as a new array; the same array when nothing changed (a deleted room that was not
 * listed). A created or updated room carries all of itself, so either one inserts a room the list lacks (its
 * creation may have come before this list was read) and replaces, and re-places, one it has.
 */
export function applyRoomChange(rooms: readonly Room[], change: RoomsChangedFrame): readonly Room[] {
  const { id, title, staffOnly } = change.room;
  const rest = rooms.filter((room) => room.id !== id);
  if (change.kind === 'deleted') return rest.length === rooms.length ? rooms : rest;
  // Unreachable: parseServerFrame lets no created or updated frame through without both.
  if (title === undefined || staffOnly === undefined) return rooms;
  const room: Room = { id, title, staffOnly };
  const at = rest.findIndex((other) => compareRooms(room, other) < 0);
  return at === -1 ? [...rest, room] : [...rest.slice(0, at), room, ...rest.slice(at)];
}
