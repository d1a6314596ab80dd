/**
 * The one rule of who may stay, applied to every socket on every change and after every gap: a socket's
 * session lasts while its user exists, is not disabled and has not logged out since the socket opened; it
 * stays in a room while the room exists in the incarnation (epoch) it joined and, if the room is staff-only
 * now, its user is staff now. Judged from the state as it is now (fresh answers from auth and rooms), never
 * from what was true at join or login time.
 */
import { type RoomAccess, type RoomRefusal, roomEntryRefusal } from '@chat/protocol';
import type { CurrentUser } from '@chat/service-kit';

/** Whether the socket's session may go on (false: close it with 1008). */
export function sessionMayContinue(user: CurrentUser | null, sessionVersion: number): user is CurrentUser {
  return user !== null && !user.disabled && user.sessionVersion === sessionVersion;
}

/**
 * Why a member of the room's incarnation `joinedEpoch` must leave it, or undefined if it may stay; `room`
 * undefined: it no longer exists. The same rule, and wording, as the rooms service refuses a join with.
 */
export function roomRefusal(
  user: CurrentUser,
  room: RoomAccess | undefined,
  joinedEpoch: number,
): RoomRefusal | undefined {
  return roomEntryRefusal(room, user, joinedEpoch);
}
