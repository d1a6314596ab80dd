import { describe, expect, it } from 'vitest';
import { clearUnread, countUnread, noUnread } from '../../src/lib/unread';
import { message, messages } from './fixtures';

const context = { activeRoom: 'lobby', selfId: 'u-alice' };

describe('unread counts', () => {
  it('counts messages for rooms not in view', () => {
    let counts = countUnread(noUnread, 'random', messages(1, 3), context);
    counts = countUnread(counts, 'random', [message(4)], context);
    counts = countUnread(counts, 'staff', [message(9)], context);
    expect(counts.get('random') ?? 0).toBe(4);
    expect(counts.get('staff') ?? 0).toBe(1);
  });

  it('does not count messages in the room in view', () => {
    const counts = countUnread(noUnread, 'lobby', messages(1, 3), context);
    expect(counts.get('lobby') ?? 0).toBe(0);
    expect(counts).toBe(noUnread);
  });

  it('does not count your own messages', () => {
    const counts = countUnread(noUnread, 'random', [message(1, 'u-alice'), message(2, 'u-bob')], context);
    expect(counts.get('random') ?? 0).toBe(1);
  });

  it('clears a room when it comes into view, leaving the others', () => {
    let counts = countUnread(noUnread, 'random', messages(1, 2), context);
    counts = countUnread(counts, 'staff', messages(1, 5), context);
    const cleared = clearUnread(counts, 'random');
    expect(cleared.get('random') ?? 0).toBe(0);
    expect(cleared.get('staff') ?? 0).toBe(5);
    expect(counts.get('random') ?? 0).toBe(2); // the old map is untouched
  });
});
