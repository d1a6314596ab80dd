/** Reads of stored messages: a page of a room's history, oldest first. */
import { type ChatMessage, HISTORY_ON_JOIN, MAX_RESUME_MESSAGES } from '@chat/protocol';
import type { Kysely } from 'kysely';
import type { MessageRow, RoomsDatabase } from '../db/schema.js';

export interface HistoryPage {
  /** Only messages with a smaller seq; the newest when absent. */
  before?: number | undefined;
  limit?: number | undefined;
  /** Only while the room is this incarnation: read in one statement with the rooms row (see `after`). */
  epoch?: number | undefined;
}

export function toChatMessage(row: MessageRow): ChatMessage {
  const message: ChatMessage = {
    id: row.id,
    seq: row.seq,
    author: { id: row.author_id, username: row.author_username },
    text: row.text,
    createdAt: new Date(row.created_at).toISOString(),
  };
  if (row.edited_at) message.editedAt = new Date(row.edited_at).toISOString();
  if (row.deleted_at) message.deletedAt = new Date(row.deleted_at).toISOString();
  return message;
}

export class MessageHistory {
  constructor(private readonly db: Kysely<RoomsDatabase>) {}

  /** Up to `limit` messages just before `before` (or the latest), in ascending seq. */
  async page(roomId: string, { before, limit = HISTORY_ON_JOIN, epoch }: HistoryPage = {}): Promise<ChatMessage[]> {
    if (limit <= 0) return [];
    let query = this.db
      .selectFrom('messages')
      .selectAll('messages')
      .where('messages.room_id', '=', roomId)
      .$if(epoch !== undefined, (q) =>
        q.where((eb) =>
          eb.exists(
            eb
              .selectFrom('rooms')
              .select('rooms.id')
              .whereRef('rooms.id', '=', 'messages.room_id')
              .where('rooms.epoch', '=', epoch as number),
          ),
        ),
      );
    if (before !== undefined) query = query.where('messages.seq', '<', before);
    const rows = await query.orderBy('messages.seq', 'desc').limit(limit).execute();
    return rows.reverse().map(toChatMessage);
  }

  /**
   * The messages after `since` up to `through`, ascending, of the room's incarnation `epoch` only: read in one
   * statement with the rooms row, so a room deleted and created again meanwhile yields nothing rather than the
   * new incarnation's messages under the old one's seqs. At most MAX_RESUME_MESSAGES.
   */
  async after(roomId: string, epoch: number, since: number, through: number): Promise<ChatMessage[]> {
    if (through <= since) return [];
    const rows = await this.db
      .selectFrom('messages')
      .innerJoin('rooms', 'rooms.id', 'messages.room_id')
      .selectAll('messages')
      .where('messages.room_id', '=', roomId)
      .where('rooms.epoch', '=', epoch)
      .where('messages.seq', '>', since)
      .where('messages.seq', '<=', through)
      .orderBy('messages.seq', 'asc')
      .limit(MAX_RESUME_MESSAGES)
      .execute();
    return rows.map(toChatMessage);
  }
}
