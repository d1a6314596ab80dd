import { describe, expect, it } from 'vitest';
import { presenceText } from '../../src/lib/presence';

describe('presenceText', () => {
  it('names one, two or three users in full', () => {
    expect(presenceText(['bob'], 'joined')).toBe('bob joined the room');
    expect(presenceText(['bob', 'carol'], 'joined')).toBe('bob and carol joined the room');
    expect(presenceText(['bob', 'carol', 'dave'], 'left')).toBe('bob, carol and dave left the room');
  });

  it('names the first two of a crowd and counts the others', () => {
    expect(presenceText(['bob', 'carol', 'dave', 'erin'], 'joined')).toBe('bob, carol and 2 others joined the room');
    const crowd = ['bob', 'carol', ...Array.from({ length: 5 }, (_, i) => `guest${i}`)];
    expect(presenceText(crowd, 'joined')).toBe('bob, carol and 5 others joined the room');
    expect(presenceText(crowd, 'left')).toBe('bob, carol and 5 others left the room');
    const full = Array.from({ length: 500 }, (_, i) => `user${i}`);
    expect(presenceText(full, 'left')).toBe('user0, user1 and 498 others left the room');
  });
});
