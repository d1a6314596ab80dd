/**
 * Who may be in a room, as one rule with one wording: the rooms service applies it to every join and every
 * request that uses a room, the gateway to every member whenever a room or user changes. A client sees the
 * same code and message whichever of the two refused it.
 */
import { ChatError, ErrorCode } from './errors.js';

/** Why a user may not enter (or stay in) a room. */
export type RoomRefusal = typeof ErrorCode.ROOM_INVALID | typeof ErrorCode.ROOM_ACCESS_DENIED;

/**
 * The refusal, if any, for a user with these flags now and a room as it is now (undefined: it does not exist).
 * With `epoch`, the room must also still be the incarnation that was joined: a deleted and re-created room is
 * another room.
 */
export function roomEntryRefusal(
  room: { staffOnly: boolean; epoch?: number } | undefined | null,
  user: { isStaff: boolean },
  epoch?: number,
): RoomRefusal | undefined {
  if (!room || (epoch !== undefined && room.epoch !== epoch)) return ErrorCode.ROOM_INVALID;
  if (room.staffOnly && !user.isStaff) return ErrorCode.ROOM_ACCESS_DENIED;
  return undefined;
}

const refusalMessages: Record<RoomRefusal, string> = {
  ROOM_INVALID: 'no such room',
  ROOM_ACCESS_DENIED: 'this room is for staff only',
};

export function roomRefusalError(refusal: RoomRefusal): ChatError {
  return new ChatError(refusal, refusalMessages[refusal]);
}
