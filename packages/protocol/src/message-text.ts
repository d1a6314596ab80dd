import { ChatError, ErrorCode } from './errors.js';
import { MAX_MESSAGE_CHARS } from './limits.js';

/**
 * The text a message is stored with: trimmed, 1 to MAX_MESSAGE_CHARS characters (code points, so an emoji
 * counts once). Throws BAD_REQUEST for nothing to say and MESSAGE_TOO_LONG beyond the limit.
 */
export function normalizeMessageText(raw: string): string {
  const text = raw.trim();
  if (text.length === 0) throw new ChatError(ErrorCode.BAD_REQUEST, 'text: a message needs some text');
  // .length counts UTF-16 units, never fewer than code points: count code points only when it could matter.
  if (text.length > MAX_MESSAGE_CHARS && [...text].length > MAX_MESSAGE_CHARS) {
    throw new ChatError(ErrorCode.MESSAGE_TOO_LONG, `text: at most ${MAX_MESSAGE_CHARS} characters`);
  }
  return text;
}
