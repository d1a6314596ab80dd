/** Every frame built by splicing JSON is what its schema says: parsed back, it validates. */
import { describe, expect, it } from 'vitest';
import {
  compile,
  DeletedEvent,
  EditedEvent,
  JoinedEvent,
  JoinResult,
  joinResultJson,
  joinResultWithMembers,
  LeftEvent,
  MembersResult,
  membersResultJson,
  MessageEvent,
  messageEventJson,
  PresenceGatherer,
  presenceEventJson,
  replyOkBytes,
  ReplyOk,
  TypingEvent,
  typingEventJson,
} from '../src/index.js';

const message = {
  id: '0b7f4c1e-2a6d-4c3e-9a51-7d2f1e0c9b88',
  seq: 7,
  author: { id: 'u1', username: 'ana "quoted" \u2028 name' },
  text: 'a "text" with \\ backslashes, </script> and ünïcödé 🎉',
  createdAt: '2026-12-02T15:00:00.000Z',
};
const room = { id: 'lobby', title: 'Lobby "main"', staffOnly: false, epoch: 3 };

describe('spliced frames', () => {
  it('message, edited and deleted events validate as their schemas', () => {
    const json = JSON.stringify(message);
    for (const [type, schema] of [
      ['message', MessageEvent],
      ['edited', EditedEvent],
      ['deleted', DeletedEvent],
    ] as const) {
      const frame = JSON.parse(messageEventJson(type, 'lobby', json));
      expect(compile(schema).check(frame), type).toBe(true);
      expect(frame).toEqual({ type, room: 'lobby', message });
    }
  });

  it('joined and left notices, as the gatherer builds them, validate as their schemas', () => {
    const users = [
      { id: 'u1', username: 'ana' },
      { id: 'u2', username: 'bo "b"' },
    ];
    const joined = JSON.parse(
      presenceEventJson(
        'joined',
        '"lobby"',
        users.map((u) => JSON.stringify(u)),
      ),
    );
    expect(compile(JoinedEvent).check(joined)).toBe(true);
    expect(joined.users).toEqual(users);
    const sent: string[] = [];
    const gatherer = new PresenceGatherer((_room, frame) => sent.push(frame), { windowMs: 1 });
    gatherer.add('lobby', 'left', users[0] as (typeof users)[0]);
    gatherer.flushAll();
    expect(compile(LeftEvent).check(JSON.parse(sent[0] as string))).toBe(true);
  });

  it("a join's data, with its members spliced in, validates as JoinResult", () => {
    const members = [{ id: 'u1', username: 'ana "quoted"' }];
    const withMembers = (json: string, users: object[]) =>
      JSON.parse(new TextDecoder().decode(joinResultWithMembers(json, JSON.stringify(users), users.length + 2)));
    const data = withMembers(joinResultJson(JSON.stringify(room), JSON.stringify([message])), members);
    expect(compile(JoinResult).check(data)).toBe(true);
    expect(data).toEqual({ room, messages: [message], members, memberCount: 3 });
    for (const reset of [false, true]) {
      const rejoin = withMembers(joinResultJson(JSON.stringify(room), JSON.stringify([message]), reset), []);
      expect(compile(JoinResult).check(rejoin)).toBe(true);
      expect(rejoin).toEqual({ room, messages: [message], reset, members: [], memberCount: 2 });
    }
  });

  it('a members page and typing events validate as their schemas', () => {
    const members = [{ id: 'u1', username: 'ana' }];
    const page = JSON.parse(membersResultJson('lobby', JSON.stringify(members), 1));
    expect(compile(MembersResult).check(page)).toBe(true);
    expect(page).toEqual({ room: 'lobby', members, memberCount: 1 });
    const user = { id: 'u2', username: 'bo "b"' };
    for (const stop of [false, true]) {
      const event = JSON.parse(typingEventJson('lobby', JSON.stringify(user), stop));
      expect(compile(TypingEvent).check(event)).toBe(true);
      expect(event).toEqual({ type: 'typing', room: 'lobby', user, ...(stop && { stop: true }) });
    }
  });

  it('a reply around data that is JSON bytes already validates as ReplyOk', () => {
    const data = new TextEncoder().encode(JSON.stringify(message));
    const frame = JSON.parse(new TextDecoder().decode(replyOkBytes('r-1 "quoted"', data)));
    expect(compile(ReplyOk).check(frame)).toBe(true);
    expect(frame).toEqual({ type: 'reply', ref: 'r-1 "quoted"', ok: true, data: message });
  });

  it('a reply in bytes from a shared pool is exactly the frame, whatever characters its ref has', () => {
    const data = new TextEncoder().encode(JSON.stringify(message));
    // A pool hands out more than was written and leaves old bytes in it: none of them may reach the frame.
    const pool = new Uint8Array(4096).fill(0x78);
    let used = 0;
    const alloc = (size: number) => {
      const bytes = pool.subarray(used, used + size);
      used += size;
      return bytes;
    };
    for (const ref of ['r-2', 'réf 😀 \u2028', '\ud800 lone']) {
      const bytes = replyOkBytes(ref, data, alloc);
      expect(bytes).toEqual(new TextEncoder().encode(JSON.stringify({ type: 'reply', ref, ok: true, data: message })));
    }
  });
});
