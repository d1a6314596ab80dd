/** Keeps a room list as the REST API would list it now, given the gateway's `rooms-changed` frames. */
import type { Room, RoomsChangedFrame } from '@chat/protocol';
// The REST list's own order (the subpath leaves TypeBox out of the bundle): a room placed by any other rule
// would jump elsewhere on the next refresh.
import { compareRooms } from '@chat/protocol/room-order';

/**
 * The list after one change, as a new array; the same array when nothing changed (a deleted room that was not
 * listed). A created or updated room carries all of itself, so either one inserts a room the list lacks (its
 * creation may have come before this list was read) and replaces, and re-places, one it has.
 */
export function applyRoomChange(rooms: readonly Room[], change: RoomsChangedFrame): readonly Room[] {
  const rest = rooms.filter((room) => room.id !== change.room.id);
  if (change.kind === 'deleted') return rest.length === rooms.length ? rooms : rest;
  const { id, title, staffOnly, epoch } = change.room;
  const room: Room = { id, title, staffOnly, epoch };
  const at = rest.findIndex((other) => compareRooms(room, other) < 0);
  return at === -1 ? [...rest, room] : [...rest.slice(0, at), room, ...rest.slice(at)];
}
