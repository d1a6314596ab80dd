/** What a message text must be before it is stored. */
import { ChatError, ErrorCode, MAX_MESSAGE_CHARS } from '@chat/protocol';

/** Returns the text trimmed, or throws BAD_REQUEST (empty, NUL) or MESSAGE_TOO_LONG (over the limit in code points). */
export function messageText(raw: string): string {
  const text = raw.trim();
  if (text.length === 0) throw new ChatError(ErrorCode.BAD_REQUEST, 'the message is empty');
  // UTF-16 length is an upper bound of the code point count: count only when it might matter.
  if (text.length > MAX_MESSAGE_CHARS && codePoints(text) > MAX_MESSAGE_CHARS) {
    throw new ChatError(ErrorCode.MESSAGE_TOO_LONG, `a message has at most ${MAX_MESSAGE_CHARS} characters`);
  }
  // Postgres text cannot hold NUL; one such message would fail the whole batch it is written with.
  if (text.includes('\0')) throw new ChatError(ErrorCode.BAD_REQUEST, 'the message contains a NUL character');
  return text;
}

function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
