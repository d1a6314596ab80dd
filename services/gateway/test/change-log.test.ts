import { describe, expect, it } from 'vitest';
import { ChangeLog } from '../src/change-log.js';

describe('the change log a join is checked against', () => {
  it('tells a join about changes of its room or its user after it started, and nothing else', () => {
    const log = new ChangeLog();
    const since = log.position();
    expect(log.touched(since, 'lobby', 'u1')).toBe(false);
    log.changed({ room: 'kitchen' });
    log.changed({ user: 'u2' });
    expect(log.touched(since, 'lobby', 'u1')).toBe(false);
    log.changed({ room: 'lobby' });
    expect(log.touched(since, 'lobby', 'u1')).toBe(true);
    const later = log.position();
    log.changed({ user: 'u1' });
    expect(log.touched(later, 'kitchen', 'u1')).toBe(true);
    expect(log.touched(log.position(), 'kitchen', 'u1')).toBe(false);
  });

  it('counts a gap as touching everything after it', () => {
    const log = new ChangeLog();
    const before = log.position();
    log.gap();
    expect(log.touched(before, 'lobby', 'u1')).toBe(true);
    expect(log.touched(log.position(), 'lobby', 'u1')).toBe(false);
  });

  it('says touched when the changes since a join were too many to keep', () => {
    const log = new ChangeLog();
    const since = log.position();
    for (let i = 0; i < 5000; i++) log.changed({ room: `room-${i}` });
    expect(log.touched(since, 'lobby', 'u1')).toBe(true);
  });
});
