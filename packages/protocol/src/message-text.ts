import { ChatError, ErrorCode } from './errors.js';
import { MAX_MESSAGE_CHARS } from './limits.js';

/**
 * The text a message is stored with: trimmed, 1 to MAX_MESSAGE_CHARS characters (code points, so an emoji
 * counts once), no NUL, a lone surrogate replaced by U+FFFD. Throws BAD_REQUEST for nothing to say or a NUL,
 * MESSAGE_TOO_LONG beyond the limit. The gateway applies it to refuse early; the rooms service applies it again
 * because it trusts no caller.
 */
export function normalizeMessageText(raw: string): string {
  // A lone surrogate is not text UTF-8 can carry: Postgres would store U+FFFD while the reply and the live event
  // (JSON keeps it as \ud800) still had the surrogate, so history would differ from what was acknowledged.
  const text = raw.toWellFormed().trim();
  if (text.length === 0) throw new ChatError(ErrorCode.BAD_REQUEST, 'text: a message needs some text');
  // .length counts UTF-16 units, never fewer than code points: count code points only when it could matter.
  if (text.length > MAX_MESSAGE_CHARS && codePoints(text) > MAX_MESSAGE_CHARS) {
    throw new ChatError(ErrorCode.MESSAGE_TOO_LONG, `text: at most ${MAX_MESSAGE_CHARS} characters`);
  }
  // Postgres text cannot hold NUL; one such message would fail the whole batch it is written with.
  if (text.includes('\0')) throw new ChatError(ErrorCode.BAD_REQUEST, 'text: NUL characters are not allowed');
  return text;
}

/** Counts code points without building an array: a surrogate pair is one. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
