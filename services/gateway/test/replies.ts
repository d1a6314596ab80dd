/** Reading a reply frame in a test: its data when it must have succeeded, its error code otherwise. */
import type { ReplyFrame } from '@chat/protocol';

export function ok<T = any>(reply: ReplyFrame): T {
  if (!reply.ok) throw new Error(`expected ok, got ${JSON.stringify(reply.error)}`);
  return reply.data as T;
}

/** 'ok', or the error's code. */
export const errorCode = (reply: ReplyFrame) => (reply.ok ? 'ok' : reply.error.code);
