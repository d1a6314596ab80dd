/** Builders shared by the unit tests. */
import type { ChatMessage } from '@chat/protocol';

export function message(seq: number, authorId = 'u-bob', text = `message ${seq}`): ChatMessage {
  return {
    id: `m-${seq}`,
    seq,
    author: { id: authorId, username: authorId.replace(/^u-/, '') },
    text,
    createdAt: new Date(Date.UTC(2025, 0, 1, 12, 0, seq)).toISOString(),
  };
}

export function messages(from: number, to: number, authorId?: string): ChatMessage[] {
  const list: ChatMessage[] = [];
  for (let seq = from; seq <= to; seq++) list.push(message(seq, authorId));
  return list;
}

export const seqs = (list: readonly ChatMessage[]) => list.map((m) => m.seq);

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
