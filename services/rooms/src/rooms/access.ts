/**
 * Who may use a room now, asked on every request that reads or writes one (send, edit, delete, history): the
 * room must exist in the incarnation the asker joined, and, when it is staff-only, the user must be staff; a
 * disabled user may do nothing. The gateway removes sockets whose access ended, but a gateway that missed the
 * change (cut off from NATS, or the event lost between two NATS nodes) must not be able to act on it, so the
 * rule is also kept here, and no part of it rests on an event having arrived:
 *
 * - the room is read from the database on every request (batched: RoomStore.findWithHistoryState); a send's
 *   room is checked by the statement that stores it (MessageWriter), at no cost;
 * - the user is a kept lookup (the user directory), dropped by auth's announcement and at most
 *   USER_CACHE_TTL_MS old (plus one lookup's round trip) when an announcement was lost. Joins ask auth afresh.
 */
import { ChatError, ErrorCode, roomEntryRefusal, roomRefusalError } from '@chat/protocol';
import type { CurrentUser, UserLookup } from '@chat/service-kit';
import { noSuchRoom, type RoomStore } from './store.js';

export class RoomAccessCheck {
  constructor(
    private readonly rooms: RoomStore,
    private readonly lookupUser: UserLookup,
  ) {}

  /**
   * Refuses the request unless `userId` may use the room (in incarnation `epoch`, when given) right now.
   * `requestId` goes with the user's lookup, should auth be asked.
   */
  async assertMayUse(roomId: string, userId: string, epoch?: number, requestId?: string): Promise<void> {
    const [user, state] = await Promise.all([
      this.lookupUser(userId, requestId),
      this.rooms.findWithHistoryState(roomId),
    ]);
    // A request for a room that is gone is told so first, whoever asks.
    if (!state || (epoch !== undefined && state.epoch !== epoch)) throw noSuchRoom();
    const current = assertActive(user);
    const refusal = roomEntryRefusal(state.room, current, epoch);
    if (refusal) throw roomRefusalError(refusal);
  }

  /**
   * A send's part of the rule: the user may write at all. The room's part (exists in `epoch`, staff-only) is
   * left to the statement that stores the message, which reads the room's row as it locks it; this returns the
   * flags it judges by. Should the user be refused, the room is read first, so that a request for a room that
   * is gone is still told so first.
   */
  async assertMayWrite(roomId: string, userId: string, epoch?: number, requestId?: string): Promise<CurrentUser> {
    const user = await this.lookupUser(userId, requestId);
    if (user && !user.disabled) return user;
    const state = await this.rooms.findWithHistoryState(roomId);
    if (!state || (epoch !== undefined && state.epoch !== epoch)) throw noSuchRoom();
    return assertActive(user);
  }
}

function assertActive(user: CurrentUser | null): CurrentUser {
  if (!user) throw new ChatError(ErrorCode.UNAUTHORIZED, 'no such user');
  if (user.disabled) throw new ChatError(ErrorCode.USER_DISABLED, 'this account is disabled');
  return user;
}
