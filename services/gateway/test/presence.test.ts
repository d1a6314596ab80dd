/**
 * Presence across gateways: a room's members are users, not sockets. Two gateways (processes, so that one can
 * be killed) and a members page bound of 3, so that paging shows with a handful of users.
 */
import { type JoinResult, type MembersResult, PRESENCE_BOUND_MS, type ServerFrame } from '@chat/protocol';
import type { TestSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultStack, printLogsOnFailure, reliability, startFaultStack } from './faults/harness.js';
import { errorCode, ok } from './replies.js';

const PAGE = 3;
let stack: FaultStack;
beforeAll(async () => {
  stack = await startFaultStack({ gateways: 2, roomsEnv: { MEMBERS_PAGE_SIZE: String(PAGE) } });
}, 60_000);
afterAll(() => stack?.stop(), 60_000);
printLogsOnFailure(() => stack?.logs());

type User = { id: string; username: string };
const ref = ({ id, username }: User) => ({ id, username });
const byId = (a: User, b: User) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const notices = (socket: TestSocket) =>
  socket.frames
    .filter((f): f is Extract<ServerFrame, { type: 'joined' | 'left' }> => f.type === 'joined' || f.type === 'left')
    .map((f) => `${f.type} ${f.users.map((u) => u.username).join(',')}`);

describe('presence, per user across gateways', () => {
  it('a second tab, on another gateway, announces nothing; the user leaves with their last socket', async () => {
    const [one, two] = stack.processes.gateways;
    const room = await stack.room('Two tabs');
    const [alice, bob] = (await stack.users(2)) as [User & { token: string }, User & { token: string }];
    const watcher = await stack.socket(bob.token, two);
    const bobsJoin = ok<JoinResult>(await watcher.request({ type: 'join', room }));
    expect(bobsJoin.members).toEqual([ref(bob)]);
    expect(bobsJoin.memberCount).toBe(1);

    const firstTab = await stack.socket(alice.token, one);
    const first = ok<JoinResult>(await firstTab.request({ type: 'join', room }));
    expect(first.members).toEqual([ref(alice), ref(bob)].sort(byId));
    expect(first.memberCount).toBe(2);
    await watcher.waitFor((f) => f.type === 'joined');

    const secondTab = await stack.socket(alice.token, two);
    const second = ok<JoinResult>(await secondTab.request({ type: 'join', room }));
    expect(second.members, 'alice once, though she has two sockets').toEqual([ref(alice), ref(bob)].sort(byId));
    expect(second.memberCount).toBe(2);
    // Joining again on a socket already in the room counts it once still.
    ok(await secondTab.request({ type: 'join', room }));

    ok(await firstTab.request({ type: 'leave', room }));
    await secondTab.close();
    await watcher.waitFor((f) => f.type === 'left');
    expect(notices(watcher)).toEqual([`joined ${alice.username}`, `left ${alice.username}`]);
    const after = ok<MembersResult>(await watcher.request({ type: 'members', room }));
    expect(after).toEqual({ room, members: [ref(bob)], memberCount: 1 });
  });

  it(`lists at most ${PAGE} members in the join reply and pages the rest with members`, async () => {
    const gateways = stack.processes.gateways;
    const room = await stack.room('Crowd');
    const crowd = await stack.users(6);
    const sockets = await Promise.all(crowd.map((u, i) => stack.socket(u.token, gateways[i % 2])));
    for (const socket of sockets.slice(0, -1)) ok(await socket.request({ type: 'join', room }));
    const last = sockets.at(-1) as TestSocket;
    const joined = ok<JoinResult>(await last.request({ type: 'join', room }));
    expect(joined.memberCount).toBe(6);
    expect(joined.members).toHaveLength(PAGE);

    const pages: User[][] = [joined.members];
    for (;;) {
      const after = pages.at(-1)?.at(-1)?.id;
      const page = ok<MembersResult>(await last.request({ type: 'members', room, after }));
      expect(page.memberCount).toBe(6);
      pages.push(page.members);
      if (page.members.length < PAGE) break;
    }
    expect(pages.flat()).toEqual(crowd.map(ref).sort(byId));

    const [outsider] = await stack.users(1);
    const stranger = await stack.socket((outsider as { token: string }).token);
    expect(errorCode(await stranger.request({ type: 'members', room }))).toBe('NOT_IN_ROOM');
  });

  it(
    `a gateway killed (SIGKILL) takes its users out of presence within ${PRESENCE_BOUND_MS / 1000} s`,
    async () => {
      const [doomed, survivor] = stack.processes.gateways;
      const room = await stack.room('Doomed hall');
      const [alice, bob, carol, dave] = (await stack.users(4)) as (User & { token: string })[];
      const watcher = await stack.socket(bob!.token, survivor);
      ok(await watcher.request({ type: 'join', room }));
      const alicesOnly = await stack.socket(alice!.token, doomed);
      ok(await alicesOnly.request({ type: 'join', room }));
      // Carol has a tab on each gateway: losing one of them is no departure.
      for (const gateway of [doomed, survivor])
        ok(await (await stack.socket(carol!.token, gateway)).request({ type: 'join', room }));
      await watcher.waitFor((f) => f.type === 'joined' && f.users.some((u) => u.id === carol!.id));

      const killedAt = Date.now();
      await doomed!.kill('SIGKILL');
      const left = await watcher.waitFor((f) => f.type === 'left', PRESENCE_BOUND_MS);
      const leftAfterMs = Date.now() - killedAt;
      expect(left).toEqual({ type: 'left', room, users: [ref(alice!)] });

      const latecomer = await stack.socket(dave!.token, survivor);
      const joined = ok<JoinResult>(await latecomer.request({ type: 'join', room }));
      expect(joined.members).toEqual([ref(bob!), ref(carol!), ref(dave!)].sort(byId));
      expect(notices(watcher).filter((n) => n.startsWith('left'))).toEqual([`left ${alice!.username}`]);
      reliability('gateway killed: its users left presence', { leftAfterMs, boundMs: PRESENCE_BOUND_MS });
    },
    PRESENCE_BOUND_MS + 10_000,
  );
});
