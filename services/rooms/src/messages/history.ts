/** Reads of stored messages: a page of a room's history, oldest first. */
import { type ChatMessage, HISTORY_ON_JOIN } from '@chat/protocol';
import type { Kysely } from 'kysely';
import type { MessageRow, RoomsDatabase } from '../db/schema.js';

export interface HistoryPage {
  /** Only messages with a smaller seq; the newest when absent. */
  before?: number | undefined;
  limit?: number | undefined;
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
  async page(roomId: string, { before, limit = HISTORY_ON_JOIN }: HistoryPage = {}): Promise<ChatMessage[]> {
    if (limit <= 0) return [];
    let query = this.db.selectFrom('messages').selectAll().where('room_id', '=', roomId);
    if (before !== undefined) query = query.where('seq', '<', before);
    const rows = await query.orderBy('seq', 'desc').limit(limit).execute();
    return rows.reverse().map(toChatMessage);
  }
}
