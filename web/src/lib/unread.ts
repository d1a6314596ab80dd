/** Unread counts per room, as immutable maps so a Lit property change is a new reference. */
import type { ChatMessage } from '@chat/protocol';

export type UnreadCounts = ReadonlyMap<string, number>;

export const noUnread: UnreadCounts = new Map();

export interface UnreadContext {
  /** The room the user is looking at; its messages are read as they arrive. */
  activeRoom: string | null;
  /** Your own messages (sent from another tab or device) are never unread. */
  selfId: string;
}

/** Adds the messages that are unread under `context`; returns the same map when nothing changed. */
export function countUnread(
  counts: UnreadCounts,
  room: string,
  added: readonly ChatMessage[],
  context: UnreadContext,
): UnreadCounts {
  if (room === context.activeRoom) return counts;
  const fresh = added.filter((message) => message.author.id !== context.selfId).length;
  if (fresh === 0) return counts;
  const next = new Map(counts);
  next.set(room, (counts.get(room) ?? 0) + fresh);
  return next;
}

export function clearUnread(counts: UnreadCounts, room: string): UnreadCounts {
  if (!counts.has(room)) return counts;
  const next = new Map(counts);
  next.delete(room);
  return next;
}
