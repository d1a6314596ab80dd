import { describe, expect, it } from 'vitest';
import { noMembers, withJoined, withLeft, withPage } from '../../src/lib/members';
import { typingText, unexpired, withoutTypist, withTyping } from '../../src/lib/typing';

const ana = { id: 'u-1', username: 'ana' };
const bo = { id: 'u-2', username: 'bo' };
const cy = { id: 'u-3', username: 'cy' };

describe('members', () => {
  it('keeps each user once, with the count the server gave, across pages and notices', () => {
    let members = withPage(noMembers, [ana], 3);
    members = withPage(members, [ana, bo], 3);
    expect(members).toEqual({ users: [ana, bo], count: 3 });
    members = withJoined(members, [bo]);
    expect(members.count, 'a notice about someone listed already').toBe(3);
    members = withLeft(members, [ana]);
    expect(members).toEqual({ users: [bo], count: 2 });
    // Someone not paged in yet leaves: the list is unchanged, the count follows.
    expect(withLeft(members, [cy])).toEqual({ users: [bo], count: 1 });
  });
});

describe('typing', () => {
  it('shows each typist once until their state expires or they stop', () => {
    let typists = withTyping([], ana, 0);
    typists = withTyping(typists, bo, 1000);
    typists = withTyping(typists, ana, 2000);
    expect(typists.map((t) => t.user.username)).toEqual(['bo', 'ana']);
    expect(unexpired(typists, 7500).map((t) => t.user.username)).toEqual(['ana']);
    expect(withoutTypist(typists, 'u-1').map((t) => t.user.username)).toEqual(['bo']);
  });

  it('says who is typing in words', () => {
    expect(typingText([])).toBeNull();
    expect(typingText(['ana'])).toBe('ana is typing…');
    expect(typingText(['ana', 'bo'])).toBe('ana and bo are typing…');
    expect(typingText(['ana', 'bo', 'cy'])).toBe('3 people are typing…');
  });
});
