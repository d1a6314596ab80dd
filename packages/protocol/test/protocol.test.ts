import { describe, expect, it } from 'vitest';
import { ChatError, compile, isValidRoomId, JoinFrame, normalizeMessageText, roomSubject } from '../src/index.js';

describe('room ids', () => {
  it('accept safe subject tokens and refuse wildcards, dots, spaces, empties and long ids', () => {
    for (const id of ['lobby', 'a', 'room-2', 'x_y', '0day']) expect(isValidRoomId(id)).toBe(true);
    for (const id of ['>', '*', 'a.b', 'a b', '', 'Lobby', '-x', 'a'.repeat(65), 'é', 'a\nb', 42, null]) {
      expect(isValidRoomId(id)).toBe(false);
    }
  });

  it('never become a subject unless valid', () => {
    expect(roomSubject('lobby')).toBe('room.lobby');
    expect(() => roomSubject('a.>')).toThrow();
  });
});

describe('message text', () => {
  it('is trimmed, must say something and is counted in characters, not UTF-16 units', () => {
    expect(normalizeMessageText('  hi \n')).toBe('hi');
    expect(() => normalizeMessageText(' \n\t ')).toThrow(ChatError);
    expect(() => normalizeMessageText('a\0b')).toThrow(/NUL/);
    expect(normalizeMessageText('😀'.repeat(4000))).toHaveLength(8000);
    const tooLong = (() => {
      try {
        normalizeMessageText('x'.repeat(4001));
      } catch (err) {
        return (err as ChatError).code;
      }
    })();
    expect(tooLong).toBe('MESSAGE_TOO_LONG');
  });

  it('replaces a lone surrogate with U+FFFD, as Postgres would store it, and keeps a pair', () => {
    expect(normalizeMessageText('a\uD800b')).toBe('a\uFFFDb');
    expect(normalizeMessageText('a\uDC00')).toBe('a\uFFFD');
    expect(normalizeMessageText('\uDE00\uD83D')).toBe('\uFFFD\uFFFD');
    expect(normalizeMessageText('😀 \uD83D\uDE00')).toBe('😀 😀');
    // What is acknowledged is what survives UTF-8, the encoding it is stored and sent in.
    for (const raw of ['a\uD800b', 'x\uDBFF', '\uDFFFy', 'ok 😀']) {
      const text = normalizeMessageText(raw);
      expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
    }
  });
});

describe('compiled validators', () => {
  it('name the offending field in the error', () => {
    const join = compile(JoinFrame);
    expect(join.check({ type: 'join', room: 'lobby', ref: '1' })).toBe(true);
    expect(() => join.assert({ type: 'join', room: 'lobby' })).toThrow(/ref/);
  });
});
