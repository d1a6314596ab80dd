import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PRESENCE_BATCH_MAX, PRESENCE_WINDOW_MS, PresenceGatherer } from '../src/index.js';

const user = (n: number) => ({ id: `u${n}`, username: `user${n}` });

describe('presence notices', () => {
  let sent: { room: string; event: { type: string; room: string; users: { id: string; username: string }[] } }[];
  let gatherer: PresenceGatherer;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    gatherer = new PresenceGatherer((room, frame) => sent.push({ room, event: JSON.parse(frame) }));
  });
  afterEach(() => {
    gatherer.flushAll();
    vi.useRealTimers();
  });

  it('go out at once after a quiet spell', () => {
    gatherer.add('lobby', 'joined', user(1));
    expect(sent).toEqual([{ room: 'lobby', event: { type: 'joined', room: 'lobby', users: [user(1)] } }]);
  });

  it('that come during the window go out together, once, when it ends', () => {
    gatherer.add('lobby', 'joined', user(1));
    for (let n = 2; n <= 200; n++) gatherer.add('lobby', 'joined', user(n));
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS - 1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sent).toHaveLength(2);
    expect(sent[1]!.event.users.map((u) => u.id)).toEqual(Array.from({ length: 199 }, (_, i) => `u${i + 2}`));
  });

  it('keep their order: a change from joins to leaves starts a new event, and each user is named once', () => {
    gatherer.add('lobby', 'joined', user(0));
    gatherer.add('lobby', 'joined', user(1));
    gatherer.add('lobby', 'joined', user(1));
    gatherer.add('lobby', 'left', user(1));
    gatherer.add('lobby', 'joined', user(2));
    vi.runAllTimers();
    expect(sent.slice(1).map((s) => [s.event.type, s.event.users.map((u) => u.id)])).toEqual([
      ['joined', ['u1']],
      ['left', ['u1']],
      ['joined', ['u2']],
    ]);
  });

  it('of each room are gathered apart', () => {
    gatherer.add('a', 'joined', user(1));
    gatherer.add('b', 'joined', user(2));
    gatherer.add('a', 'left', user(1));
    expect(sent.map((s) => s.room)).toEqual(['a', 'b']);
    vi.runAllTimers();
    expect(sent.map((s) => [s.room, s.event.type])).toEqual([
      ['a', 'joined'],
      ['b', 'joined'],
      ['a', 'left'],
    ]);
  });

  it('go out before anything else the room publishes when the owner flushes them', () => {
    gatherer.add('lobby', 'joined', user(1));
    gatherer.add('lobby', 'joined', user(2));
    gatherer.flush('lobby');
    expect(sent.map((s) => s.event.users.map((u) => u.id))).toEqual([['u1'], ['u2']]);
    vi.runAllTimers();
    expect(sent).toHaveLength(2);
  });

  it('split a crowd above the batch size into several events, none of them too big to publish', () => {
    gatherer.add('lobby', 'joined', user(0));
    const crowd = PRESENCE_BATCH_MAX * 2 + 7;
    for (let n = 1; n <= crowd; n++) gatherer.add('lobby', 'joined', user(n));
    vi.runAllTimers();
    const batches = sent.slice(1).map((s) => s.event.users.length);
    expect(batches).toEqual([PRESENCE_BATCH_MAX, PRESENCE_BATCH_MAX, 7]);
  });

  it('go out at once again after a quiet window, leaving no timer behind', () => {
    gatherer.add('lobby', 'joined', user(1));
    vi.advanceTimersByTime(PRESENCE_WINDOW_MS);
    expect(vi.getTimerCount()).toBe(0);
    gatherer.add('lobby', 'left', user(1));
    expect(sent.map((s) => s.event.type)).toEqual(['joined', 'left']);
  });

  it('after a flush on shutdown leave no timer behind', () => {
    gatherer.add('lobby', 'joined', user(1));
    gatherer.add('lobby', 'left', user(1));
    gatherer.flushAll();
    expect(sent).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
