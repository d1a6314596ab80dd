/**
 * Changing what was said: authors edit their own messages. Authors delete theirs; staff (the trusted members
 * the staff flag stands for) and administrators delete anyone's, in a room they may be in (the caller checks
 * that on every request). A deleted message keeps its row and seq with empty text, so history and gap
 * detection never see a hole.
 */
import { type ChatMessage, ChatError, ErrorCode, type UserRef } from '@chat/protocol';
import { type Kysely, sql } from 'kysely';
import type { RoomsDatabase } from '../db/schema.js';
import type { UserLookup } from '@chat/service-kit';
import { toChatMessage } from './history.js';

export class MessageEdits {
  constructor(
    private readonly db: Kysely<RoomsDatabase>,
    private readonly lookupUser: UserLookup,
  ) {}

  async edit(room: string, id: string, user: UserRef, text: string): Promise<ChatMessage> {
    const row = await this.changed(room, (trx) =>
      trx
        .updateTable('messages')
        .set({ text, edited_at: sql<Date>`now()` })
        .where('id', '=', id)
        .where('room_id', '=', room)
        .where('author_id', '=', user.id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),
    );
    if (row) return toChatMessage(row);
    throw await this.whyNot(room, id, 'only its author may edit a message');
  }

  async delete(room: string, id: string, user: UserRef): Promise<ChatMessage> {
    const existing = await this.find(room, id);
    if (existing.author_id !== user.id) {
      // Moderation, judged by the user's flags as they are now.
      const current = await this.lookupUser(user.id);
      if (!current || current.disabled || !(current.isStaff || current.isAdmin)) {
        throw new ChatError(ErrorCode.FORBIDDEN, 'only its author, staff or an administrator may delete a message');
      }
    }
    const row = await this.changed(room, (trx) =>
      trx
        .updateTable('messages')
        .set({ text: '', deleted_at: sql<Date>`coalesce(deleted_at, now())` })
        .where('id', '=', id)
        .where('room_id', '=', room)
        .returningAll()
        .executeTakeFirstOrThrow(),
    );
    return toChatMessage(row);
  }

  /** Runs a change of messages together with the bump of the room's history version. */
  private changed<T>(room: string, change: (trx: Kysely<RoomsDatabase>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      const result = await change(trx);
      if (result) {
        await trx
          .updateTable('rooms')
          .set((eb) => ({ history_version: eb('history_version', '+', 1) }))
          .where('id', '=', room)
          .execute();
      }
      return result;
    });
  }

  private async find(room: string, id: string) {
    const row = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', id)
      .where('room_id', '=', room)
      .executeTakeFirst();
    if (!row || row.deleted_at) throw new ChatError(ErrorCode.NOT_FOUND, 'no such message in this room');
    return row;
  }

  /** Tells a missing (or deleted) message from someone else's. */
  private async whyNot(room: string, id: string, forbidden: string): Promise<ChatError> {
    await this.find(room, id);
    return new ChatError(ErrorCode.FORBIDDEN, forbidden);
  }
}
