import { describe, expect, it } from 'vitest';
import { clearUnread, countUnread, noUnread, unreadOf } from '../../src/lib/unread';
import { message, messages } from './fixtures';

const context = { activeRoom: 'lobby', selfId: 'u-alice' };

describe('unread counts', () => {
  it('counts messages for rooms not in view', () => {
    let counts = countUnread(noUnread, 'random', messages(1, 3), context);
    counts = countUnread(counts, 'random', [message(4)], context);
    counts = countUnread(counts, 'staff', [message(9)], context);
    expect(unreadOf(counts, 'random')).toBe(4);
    expect(unreadOf(counts, 'staff')).toBe(1);
  });

  it('does not count messages in the room in view', () => {
    const counts = countUnread(noUnread, 'lobby', messages(1, 3), context);
    expect(unreadOf(counts, 'lobby')).toBe(0);
    expect(counts).toBe(noUnread);
  });

  it('does not count your own messages', () => {
    const counts = countUnread(noUnread, 'random', [message(1, 'u-alice'), message(2, 'u-bob')], context);
    expect(unreadOf(counts, 'random')).toBe(1);
  });

  it('clears a room when it comes into view, leaving the others', () => {
    let counts = countUnread(noUnread, 'random', messages(1, 2), context);
    counts = countUnread(counts, 'staff', messages(1, 5), context);
    const cleared = clearUnread(counts, 'random');
    expect(unreadOf(cleared, 'random')).toBe(0);
    expect(unreadOf(cleared, 'staff')).toBe(5);
    expect(unreadOf(counts, 'random')).toBe(2); // the old map is untouched
  });
});
