/**
 * The one rule of who may stay, applied to every socket on every change and after every gap: a socket's
 * session lasts while its user exists, is not disabled and has not logged out since the socket opened; it
 * stays in a room while the room exists in the incarnation (epoch) it joined and, if the room is staff-only
 * now, its user is staff now. Judged from the state as it is now (fresh answers from auth and rooms), never
 * from what was true at join or login time.
 */
import { ChatError, ErrorCode, type RoomAccess } from '@chat/protocol';
import type { CurrentUser } from '@chat/service-kit';

/** What to do with a room membership: keep it, or take the socket out, saying why. */
export type RoomVerdict = 'stay' | 'ROOM_INVALID' | 'ROOM_ACCESS_DENIED';

/** Whether the socket's session may go on (false: close it with 1008). */
export function sessionMayContinue(user: CurrentUser | null, sessionVersion: number): user is CurrentUser {
  return user !== null && !user.disabled && user.sessionVersion === sessionVersion;
}

/** Whether a member of the room's incarnation `joinedEpoch` may stay; `room` undefined: it no longer exists. */
export function roomVerdict(user: CurrentUser, room: RoomAccess | undefined, joinedEpoch: number): RoomVerdict {
  if (!room || room.epoch !== joinedEpoch) return 'ROOM_INVALID';
  if (room.staffOnly && !user.isStaff) return 'ROOM_ACCESS_DENIED';
  return 'stay';
}

/** A refusal, as a join that may no longer complete is answered: the codes the rooms service refuses with. */
export function refusalOf(verdict: Exclude<RoomVerdict, 'stay'>): ChatError {
  return verdict === 'ROOM_INVALID'
    ? new ChatError(ErrorCode.ROOM_INVALID, 'no such room')
    : new ChatError(ErrorCode.ROOM_ACCESS_DENIED, 'this room is for staff only');
}
