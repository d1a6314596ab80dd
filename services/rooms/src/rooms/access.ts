/**
 * Who may use a room now, asked on every request that reads or writes one (send, edit, delete, history):
 * the room must exist in the incarnation the asker joined, and, when it is staff-only, the user must be
 * staff; a disabled user may do nothing. The gateway removes sockets whose access ended, but a gateway that
 * missed the change (cut off from NATS) must not be able to act on it, so the rule is also kept here.
 *
 * The hot path stays a lookup: each room's epoch and flag are kept until the room changes (`forget`, called
 * for every rooms.changed event from any instance, and for everything after a NATS disconnect), and users
 * come from the user directory, which drops a user on auth's change announcement.
 */
import { ChatError, ErrorCode, type RoomAccess, roomEntryRefusal, roomRefusalError } from '@chat/protocol';
import type { UserLookup } from '@chat/service-kit';
import { LRUCache } from 'lru-cache';
import { noSuchRoom, type RoomStore } from './store.js';

const MAX_ROOMS_KEPT = 10_000;

export class RoomAccessCheck {
  /** The room's access as last read; null: no such room. A read under way is shared by every asker. */
  private readonly kept = new LRUCache<string, Promise<RoomAccess | null>>({ max: MAX_ROOMS_KEPT });

  constructor(
    private readonly rooms: RoomStore,
    private readonly lookupUser: UserLookup,
  ) {}

  /**
   * Refuses the request unless `userId` may use the room (in incarnation `epoch`, when given) right now.
   * `requestId` goes with the user's lookup, should auth be asked.
   */
  async assertMayUse(roomId: string, userId: string, epoch?: number, requestId?: string): Promise<void> {
    const [user, access] = await Promise.all([this.lookupUser(userId, requestId), this.access(roomId)]);
    // A request for a room that is gone is told so first, whoever asks.
    if (!access || (epoch !== undefined && access.epoch !== epoch)) throw noSuchRoom();
    if (!user) throw new ChatError(ErrorCode.UNAUTHORIZED, 'no such user');
    if (user.disabled) throw new ChatError(ErrorCode.USER_DISABLED, 'this account is disabled');
    const refusal = roomEntryRefusal(access, user, epoch);
    if (refusal) throw roomRefusalError(refusal);
  }

  /** The room changed (or, without an id, anything may have): the next request reads it again. */
  forget(roomId?: string): void {
    if (roomId === undefined) this.kept.clear();
    else this.kept.delete(roomId);
  }

  private access(roomId: string): Promise<RoomAccess | null> {
    const kept = this.kept.get(roomId);
    if (kept) return kept;
    const read = this.rooms.accessOf([roomId]).then(([access]) => access ?? null);
    this.kept.set(roomId, read);
    // A failed read is not kept: the next request asks again.
    read.catch(() => {
      if (this.kept.get(roomId) === read) this.kept.delete(roomId);
    });
    return read;
  }
}
