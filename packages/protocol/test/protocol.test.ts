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
});

describe('compiled validators', () => {
  it('name the offending field in the error', () => {
    const join = compile(JoinFrame);
    expect(join.check({ type: 'join', room: 'lobby', ref: '1' })).toBe(true);
    expect(() => join.assert({ type: 'join', room: 'lobby' })).toThrow(/ref/);
  });
});
