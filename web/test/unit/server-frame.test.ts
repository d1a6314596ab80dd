import { describe, expect, it } from 'vitest';
import { isReplyData, parseServerFrame } from '../../src/lib/server-frame';
import { message } from './fixtures';

describe('parseServerFrame', () => {
  it('accepts the frames of the protocol', () => {
    const frames = [
      { type: 'reply', ref: 'r1', ok: true, data: { time: 'now' } },
      { type: 'reply', ref: null, ok: false, error: { code: 'BAD_REQUEST', message: 'bad frame' } },
      { type: 'message', room: 'lobby', message: message(3) },
      { type: 'edited', room: 'lobby', message: { ...message(3), text: 'new', editedAt: '2025-01-01T13:00:00.000Z' } },
      { type: 'deleted', room: 'lobby', message: { ...message(3), text: '', deletedAt: '2025-01-01T13:00:00.000Z' } },
      { type: 'joined', room: 'lobby', users: [{ id: 'u1', username: 'carol' }] },
      {
        type: 'joined',
        room: 'lobby',
        users: [
          { id: 'u1', username: 'carol' },
          { id: 'u2', username: 'dave' },
        ],
      },
      { type: 'left', room: 'lobby', users: [{ id: 'u1', username: 'carol' }] },
      { type: 'rooms-changed', kind: 'created', room: { id: 'help', title: 'Help', staffOnly: false, epoch: 4 } },
      { type: 'rooms-changed', kind: 'updated', room: { id: 'help', title: 'Help desk', staffOnly: true, epoch: 4 } },
      { type: 'rooms-changed', kind: 'deleted', room: { id: 'help', epoch: 4 } },
      { type: 'removed', room: 'help', reason: 'ROOM_ACCESS_DENIED' },
      { type: 'removed', room: 'help', reason: 'ROOM_INVALID' },
    ];
    for (const frame of frames) expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
  });

  it('drops malformed frames instead of trusting them', () => {
    const bad = [
      'not json',
      '[]',
      JSON.stringify({ type: 'message', room: 'lobby', message: { ...message(1), seq: 0 } }),
      JSON.stringify({ type: 'message', room: 'lobby', message: { ...message(1), text: 5 } }),
      JSON.stringify({ type: 'edited', room: 'lobby', message: { ...message(1), editedAt: 5 } }),
      JSON.stringify({ type: 'deleted', room: 'lobby' }),
      JSON.stringify({ type: 'joined', room: 'lobby' }),
      // The shape before notices were gathered: one `user`, not a list.
      JSON.stringify({ type: 'joined', room: 'lobby', user: { id: 'u1', username: 'carol' } }),
      JSON.stringify({ type: 'left', room: 'lobby', user: { id: 'u1', username: 'carol' } }),
      JSON.stringify({ type: 'joined', room: 'lobby', users: [] }),
      JSON.stringify({ type: 'left', room: 'lobby', users: { id: 'u1', username: 'carol' } }),
      JSON.stringify({ type: 'joined', room: 'lobby', users: [{ id: 'u1', username: 'carol' }, { id: 'u2' }] }),
      JSON.stringify({ type: 'left', users: [{ id: 'u1', username: 'carol' }] }),
      JSON.stringify({ type: 'reply', ok: true, data: {} }),
      JSON.stringify({ type: 'rooms-changed', kind: 'created', room: { id: 'help' } }),
      JSON.stringify({ type: 'rooms-changed', kind: 'updated', room: { id: 'help', title: 'Help', staffOnly: 'no' } }),
      JSON.stringify({ type: 'rooms-changed', kind: 'deleted', room: {} }),
      JSON.stringify({ type: 'rooms-changed', kind: 'renamed', room: { id: 'help', title: 'Help', staffOnly: false } }),
      JSON.stringify({ type: 'removed', room: 'help' }),
      JSON.stringify({ type: 'removed', room: 'help', reason: 'KICKED' }),
      JSON.stringify({ type: 'removed', reason: 'ROOM_INVALID' }),
      // A frame type from a newer gateway is ignored, not trusted and not fatal.
      JSON.stringify({ type: 'surprise' }),
      JSON.stringify({ type: 'reacted', room: 'lobby', message: message(1) }),
    ];
    for (const text of bad) expect(parseServerFrame(text)).toBeNull();
  });

  it('checks reply data against the request it answers', () => {
    expect(isReplyData('send', message(1))).toBe(true);
    expect(isReplyData('send', {})).toBe(false);
    expect(isReplyData('edit', { ...message(1), editedAt: '2025-01-01T13:00:00.000Z' })).toBe(true);
    expect(isReplyData('delete', { id: 'm-1' })).toBe(false);
    const room = { id: 'a', title: 'A', staffOnly: false, epoch: 1 };
    const members = { members: [{ id: 'u-1', username: 'ana' }], memberCount: 1 };
    expect(isReplyData('join', { room, messages: [message(1)], ...members })).toBe(true);
    expect(isReplyData('join', { room, messages: [message(2)], reset: false, ...members })).toBe(true);
    expect(isReplyData('join', { room, messages: [], reset: 'yes', ...members })).toBe(false);
    expect(isReplyData('join', { room: { ...room, epoch: undefined }, messages: [], ...members })).toBe(false);
    expect(isReplyData('join', { room: { id: 'a' }, messages: [], ...members })).toBe(false);
    expect(isReplyData('join', { room, messages: [] }), 'without its members').toBe(false);
    expect(isReplyData('members', { room: 'a', ...members })).toBe(true);
    expect(isReplyData('members', { room: 'a', members: [{ id: 'u-1' }], memberCount: 1 })).toBe(false);
    expect(isReplyData('history', { room: 'a', messages: [{}] })).toBe(false);
  });
});
