/**
 * The chat state against a fake gateway: rejoin and fill-in after a reconnect, unread counts, refusals, rooms
 * renamed and deleted while open, rooms the server takes the user out of.
 */
import type { RoomsChangedFrame } from '@chat/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatController } from '../../src/controllers/chat';
import { Backoff } from '../../src/lib/backoff';
import { findGap } from '../../src/lib/message-log';
import { FakeServer, fakeHost } from './fake-server';
import { range, seqs } from './fixtures';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup() {
  const server = new FakeServer();
  let sessionEnded = false;
  const heard: RoomsChangedFrame[] = [];
  let reconnects = 0;
  const chat = new ChatController(fakeHost(), {
    selfId: () => 'u-alice',
    onSessionEnded: () => {
      sessionEnded = true;
    },
    onRoomsChanged: (change) => heard.push(change),
    onReconnected: () => reconnects++,
    connection: {
      createSocket: server.createSocket,
      url: 'ws://test/ws',
      backoff: new Backoff({ baseMs: 200, random: () => 0 }),
      heartbeatMs: 600_000,
      sessionValid: async () => true,
    },
  });
  chat.connection.hostConnected();
  server.latestSocket.open();
  /** Lets every pending reply (1 ms timers) and the work it triggers run. */
  const settle = () => vi.advanceTimersByTimeAsync(20);
  /** Drops the socket, lets `during` happen while offline, then reconnects. */
  const reconnect = async (during: () => void) => {
    server.latestSocket.drop(1012);
    during();
    await vi.advanceTimersByTimeAsync(100);
    server.latestSocket.open();
    await settle();
  };
  return { server, chat, settle, reconnect, ended: () => sessionEnded, heard, reconnects: () => reconnects };
}

const shown = (chat: ChatController, room: string) => seqs(chat.rooms.get(room)?.log.messages ?? []);

describe('opening rooms', () => {
  it('shows the latest 50 messages on join and pages back through older ones', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 120);
    chat.openRoom(lobby);
    await settle();
    expect(chat.rooms.get('lobby')?.phase).toBe('joined');
    expect(shown(chat, 'lobby')).toEqual(range(71, 120));

    const loadOlder = async () => {
      const loading = chat.loadOlder('lobby');
      await settle();
      await loading;
    };
    await loadOlder();
    expect(shown(chat, 'lobby')).toEqual(range(21, 120));
    await loadOlder();
    expect(shown(chat, 'lobby')).toEqual(range(1, 120));
    expect(chat.rooms.get('lobby')?.loadingOlder).toBe(false);
    await loadOlder(); // at seq 1 there is nothing older to ask for
    expect(server.requests.filter((frame) => frame.type === 'history')).toMatchObject([
      { before: 71, limit: 50 },
      { before: 21, limit: 50 },
    ]);
  });

  it('keeps a refused room open with the reason, offers no retry, and joins when the user opens it again', async () => {
    const { server, chat, settle } = setup();
    const staff = server.addRoom('staff', 3, true);
    server.denied.add('staff');
    chat.openRoom(staff);
    await settle();
    expect(chat.rooms.get('staff')).toMatchObject({
      phase: 'refused',
      error: 'You do not have access to this room.',
      canRetry: false,
    });

    // Access granted meanwhile: opening it from the list again asks again.
    server.denied.delete('staff');
    chat.openRoom(staff);
    await settle();
    expect(chat.rooms.get('staff')?.phase).toBe('joined');
    expect(shown(chat, 'staff')).toEqual([1, 2, 3]);
  });

  it('offers to try again when a join failed because the service was away, and joins on retry', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 2);
    server.unavailable.add('lobby');
    chat.openRoom(lobby);
    await settle();
    expect(chat.rooms.get('lobby')).toMatchObject({
      phase: 'refused',
      error: 'The chat service is unavailable right now; try again shortly.',
      canRetry: true,
    });

    server.unavailable.delete('lobby');
    chat.retry('lobby');
    await settle();
    expect(chat.rooms.get('lobby')).toMatchObject({ phase: 'joined', error: null, canRetry: false });
    expect(shown(chat, 'lobby')).toEqual([1, 2]);
  });

  it('shows a message once even though the send reply and the broadcast both carry it', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 2));
    await settle();
    const sending = chat.send('lobby', 'hello');
    await settle();
    await expect(sending).resolves.toBe(true);
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3]);
  });

  it('reports a failed send on the room and resolves false so the composer keeps the text', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1));
    await settle();
    server.latestSocket.drop(1012);
    await expect(chat.send('lobby', 'hello')).resolves.toBe(false);
    expect(chat.rooms.get('lobby')?.error).toMatch(/^Message not sent\. Not connected/);
  });

  it('sends leave when a room is closed and selects the room opened before it', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1));
    chat.openRoom(server.addRoom('random', 1));
    await settle();
    expect(chat.active).toBe('random');
    chat.closeRoom('random');
    await settle();
    expect(chat.active).toBe('lobby');
    expect([...chat.rooms.keys()]).toEqual(['lobby']);
    expect(server.requests.at(-1)).toMatchObject({ type: 'leave', room: 'random' });
  });
});

describe('reconnecting', () => {
  it('rejoins open rooms from their last seq and epoch, and appends exactly what was missed, once', async () => {
    const { server, chat, settle, reconnect } = setup();
    const lobby = server.addRoom('lobby', 100);
    chat.openRoom(lobby);
    await settle();
    expect(shown(chat, 'lobby')).toEqual(range(51, 100));
    expect(server.requests.find((frame) => frame.type === 'join')).not.toHaveProperty('since');

    // 80 messages while offline: the rejoin's reply is 101..180, in one round trip.
    await reconnect(() => server.post('lobby', 80));
    expect(shown(chat, 'lobby')).toEqual(range(51, 180));
    expect(findGap(chat.rooms.get('lobby')!.log)).toBeNull();
    const joins = server.requests.filter((frame) => frame.type === 'join');
    expect(joins.at(-1)).toMatchObject({ room: 'lobby', since: 100, epoch: lobby.epoch });
    expect(server.requests.some((frame) => frame.type === 'history')).toBe(false);
    expect(chat.rooms.get('lobby')?.log.notices).toEqual([]);
    expect(chat.connection.status).toBe('connected');
  });

  it('rejoins a room that had no messages from seq 0, and gets all that came meanwhile', async () => {
    const { server, chat, settle, reconnect } = setup();
    chat.openRoom(server.addRoom('lobby', 0));
    await settle();
    await reconnect(() => server.post('lobby', 3));
    expect(server.requests.filter((frame) => frame.type === 'join').at(-1)).toMatchObject({ since: 0 });
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3]);
  });

  it('fills a gap in live messages larger than one history page in several pages', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 5));
    await settle();
    server.latestSocket.readyState = 3; // deliveries of 6..255 are lost
    server.post('lobby', 250);
    server.latestSocket.readyState = 1;
    server.post('lobby', 1); // 256 arrives
    await settle();
    expect(shown(chat, 'lobby')).toEqual(range(1, 256));
    expect(server.requests.filter((frame) => frame.type === 'history')).toMatchObject([
      { before: 256, limit: 100 },
      { before: 156, limit: 100 },
      { before: 56, limit: 50 },
    ]);
  });

  it('starts again from the latest messages, and says so, when more than 500 were missed', async () => {
    const { server, chat, reconnect } = setup();
    chat.openRoom(server.addRoom('lobby', 10));
    await vi.advanceTimersByTimeAsync(20);
    await reconnect(() => server.post('lobby', 2000));
    expect(shown(chat, 'lobby')).toEqual(range(1961, 2010));
    expect(server.requests.some((frame) => frame.type === 'history')).toBe(false);
    expect(chat.rooms.get('lobby')?.startReached).toBe(false);
    expect(chat.rooms.get('lobby')?.log.notices.map((notice) => [notice.afterSeq, notice.text])).toEqual([
      [0, 'More than 500 messages came while you were away: showing the latest.'],
    ]);
  });

  it('replaces a room re-created while offline with the new room, and says so: no old message stays', async () => {
    const { server, chat, settle, reconnect } = setup();
    const old = server.addRoom('lobby', 20);
    chat.openRoom(old);
    chat.openRoom(server.addRoom('random', 1));
    await settle();

    let recreated = old;
    await reconnect(() => {
      server.deleteRoom('lobby');
      recreated = server.addRoom('lobby', 30); // more than were held, so seqs alone would overlap
    });
    expect(server.requests.filter((frame) => frame.type === 'join').at(-2)).toMatchObject({
      room: 'lobby',
      since: 20,
      epoch: old.epoch,
    });
    const entry = chat.rooms.get('lobby');
    expect(entry?.phase).toBe('joined');
    expect(entry?.room.epoch).toBe(recreated.epoch);
    expect(entry?.log.messages.map((message) => message.text)).toEqual(range(1, 30).map((seq) => `lobby #${seq}`));
    expect(entry?.log.notices.map((notice) => notice.text)).toEqual([
      'This room was re-created: its earlier messages are gone.',
    ]);
    // Every message of the new room is new to the user (the room is not in view).
    expect(chat.unread.get('lobby')).toBe(30);

    // The next rejoin (once the socket was up long enough for the backoff to start afresh) continues in the new
    // incarnation.
    await vi.advanceTimersByTimeAsync(5_000);
    await reconnect(() => server.post('lobby', 2));
    expect(server.requests.filter((frame) => frame.type === 'join').at(-2)).toMatchObject({
      since: 30,
      epoch: recreated.epoch,
    });
    expect(shown(chat, 'lobby')).toEqual(range(1, 32));
  });

  it('counts what was missed in rooms not in view as unread, but not in the room in view', async () => {
    const { server, chat, settle, reconnect } = setup();
    chat.openRoom(server.addRoom('random', 5));
    chat.openRoom(server.addRoom('lobby', 5));
    await settle();
    expect(chat.active).toBe('lobby');
    expect(chat.unread.size).toBe(0); // the first join's history is not "unread"

    await reconnect(() => {
      server.post('random', 7);
      server.post('lobby', 3);
    });
    expect(chat.unread.get('random')).toBe(7);
    expect(chat.unread.get('lobby')).toBeUndefined();

    // A message seen twice (live, then again in a rejoin page) is counted once.
    server.post('random', 1);
    await reconnect(() => {});
    expect(chat.unread.get('random')).toBe(8);

    chat.select('random');
    expect(chat.unread.get('random')).toBeUndefined();
  });

  it('fills a gap seen in live messages (a dropped broadcast)', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 5));
    await settle();
    server.latestSocket.readyState = 3; // deliveries of 6 and 7 are lost
    server.post('lobby', 2);
    server.latestSocket.readyState = 1;
    server.post('lobby', 1); // 8 arrives
    await settle();
    expect(shown(chat, 'lobby')).toEqual(range(1, 8));
    expect(server.requests.filter((frame) => frame.type === 'history')).toMatchObject([{ before: 8, limit: 2 }]);
  });

  it('joins a room opened while offline once the socket is back', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 3);
    server.latestSocket.drop(1006);
    chat.openRoom(lobby);
    expect(chat.rooms.get('lobby')?.phase).toBe('joining');
    await vi.advanceTimersByTimeAsync(100);
    server.latestSocket.open();
    await settle();
    expect(chat.rooms.get('lobby')?.phase).toBe('joined');
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3]);
  });

  it('reports the end of the session on close code 1008', async () => {
    const { server, chat, ended } = setup();
    server.latestSocket.drop(1008);
    expect(ended()).toBe(true);
    expect(chat.connection.status).toBe('ended');
  });
});

describe('notices and announcements', () => {
  const bob = { id: 'u-bob', username: 'bob' };
  const carol = { id: 'u-carol', username: 'carol' };
  const dave = { id: 'u-dave', username: 'dave' };
  const guests = (count: number) =>
    Array.from({ length: count }, (_, i) => ({ id: `u-guest${i}`, username: `guest${i}` }));

  it('adds join and leave notices as system lines after the newest message', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 2));
    await settle();
    server.broadcast({ type: 'joined', room: 'lobby', users: [carol] });
    server.broadcast({ type: 'left', room: 'lobby', users: [carol] });
    const notices = chat.rooms.get('lobby')?.log.notices ?? [];
    expect(notices.map((notice) => [notice.text, notice.afterSeq])).toEqual([
      ['carol joined the room', 2],
      ['carol left the room', 2],
    ]);
  });

  it('shows one system line per event, however many users it names', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1));
    await settle();
    server.broadcast({ type: 'joined', room: 'lobby', users: [bob, carol] });
    server.broadcast({ type: 'joined', room: 'lobby', users: [bob, carol, dave] });
    server.broadcast({ type: 'left', room: 'lobby', users: [bob, carol, ...guests(5)] });
    expect(chat.rooms.get('lobby')?.log.notices.map((notice) => notice.text)).toEqual([
      'bob and carol joined the room',
      'bob, carol and dave joined the room',
      'bob, carol and 5 others left the room',
    ]);
  });

  it('keeps notices that come while joining and shows them once the room is in', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 2);
    chat.openRoom(lobby);
    expect(chat.rooms.get('lobby')?.phase).toBe('joining');
    server.broadcast({ type: 'joined', room: 'lobby', users: [bob, carol, dave, ...guests(2)] });
    server.broadcast({ type: 'left', room: 'lobby', users: [bob] });
    expect(chat.rooms.get('lobby')?.log.notices).toEqual([]);
    await settle();
    expect(chat.rooms.get('lobby')?.phase).toBe('joined');
    const notices = chat.rooms.get('lobby')?.log.notices ?? [];
    expect(notices.map((notice) => [notice.text, notice.afterSeq])).toEqual([
      ['bob, carol and 3 others joined the room', 2],
      ['bob left the room', 2],
    ]);
  });

  it('ignores join and leave frames in the old one-user shape', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1));
    await settle();
    server.latestSocket.onmessage?.({ data: JSON.stringify({ type: 'joined', room: 'lobby', user: carol }) });
    server.latestSocket.onmessage?.({ data: JSON.stringify({ type: 'left', room: 'lobby', users: [] }) });
    expect(chat.rooms.get('lobby')?.log.notices).toEqual([]);
  });

  it('announces messages from others, naming the room when it is not in view', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('random', 0));
    chat.openRoom(server.addRoom('lobby', 0));
    await settle();
    server.post('lobby', 1, { id: 'u-bob', username: 'bob' });
    expect(chat.announcement?.text).toBe('bob: lobby #1');
    server.post('random', 1, { id: 'u-bob', username: 'bob' });
    expect(chat.announcement?.text).toBe('New message in Random from bob');
    const before = chat.announcement;
    server.post('lobby', 1, { id: 'u-alice', username: 'alice' });
    expect(chat.announcement).toBe(before);
  });
});

describe('edits and deletions', () => {
  const text = (chat: ChatController, room: string, seq: number) =>
    chat.rooms.get(room)?.log.messages.find((message) => message.seq === seq);

  it('shows an edit or deletion from someone else in place, not as unread and not announced', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('random', 5));
    chat.openRoom(server.addRoom('lobby', 5));
    await settle();
    server.post('random', 1);
    expect(chat.unread.get('random')).toBe(1);
    const announced = chat.announcement;

    server.edit('random', 6, 'actually, never mind');
    server.delete('random', 5);
    server.edit('lobby', 5, 'in view, edited');
    expect(text(chat, 'random', 6)).toMatchObject({ text: 'actually, never mind', editedAt: expect.any(String) });
    expect(text(chat, 'random', 5)).toMatchObject({ text: '', deletedAt: expect.any(String) });
    expect(text(chat, 'lobby', 5)?.text).toBe('in view, edited');
    expect(shown(chat, 'random')).toEqual(range(1, 6));
    expect(chat.unread.get('random')).toBe(1);
    expect(chat.unread.get('lobby')).toBeUndefined();
    expect(chat.announcement).toBe(announced);
    await settle();
    expect(server.requests.some((frame) => frame.type === 'history')).toBe(false);
  });

  it("edits and deletes the user's own messages, and says on the room why a change was refused", async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1)); // seq 1 is bob's
    await settle();
    const sending = chat.send('lobby', 'teh typo');
    await settle();
    await sending;
    const own = server.stored('lobby', 2)!;

    const editing = chat.editMessage('lobby', own.id, 'the typo');
    await settle();
    await expect(editing).resolves.toBe(true);
    expect(text(chat, 'lobby', 2)?.text).toBe('the typo');
    expect(server.requests.at(-1)).toMatchObject({ type: 'edit', room: 'lobby', id: own.id, text: 'the typo' });

    const refused = chat.editMessage('lobby', server.stored('lobby', 1)!.id, 'mine now');
    await settle();
    await expect(refused).resolves.toBe(false);
    expect(chat.rooms.get('lobby')?.error).toBe('Message not edited. You are not allowed to do that.');
    expect(text(chat, 'lobby', 1)?.text).toBe('lobby #1');

    const deleting = chat.deleteMessage('lobby', own.id);
    await settle();
    await expect(deleting).resolves.toBe(true);
    expect(chat.rooms.get('lobby')?.error).toBeNull();
    expect(text(chat, 'lobby', 2)).toMatchObject({ text: '', deletedAt: expect.any(String) });

    const again = chat.deleteMessage('lobby', own.id);
    await settle();
    await expect(again).resolves.toBe(false);
    expect(chat.rooms.get('lobby')?.error).toBe('Message not deleted. It no longer exists.');
    expect(chat.unread.size).toBe(0);
  });

  it("lets an admin delete someone else's message", async () => {
    const { server, chat, settle } = setup();
    server.selfIsAdmin = true;
    chat.openRoom(server.addRoom('lobby', 2));
    await settle();
    const deleting = chat.deleteMessage('lobby', server.stored('lobby', 1)!.id);
    await settle();
    await expect(deleting).resolves.toBe(true);
    expect(text(chat, 'lobby', 1)?.deletedAt).toBeDefined();
  });

  it('does not undo an edit when a page of older messages read before it arrives after it', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 120)); // 71..120 shown
    await settle();
    const loading = chat.loadOlder('lobby'); // the fake reads 21..70 now; the reply comes a tick later
    server.edit('lobby', 70, 'edited while the page was on its way');
    server.edit('lobby', 100, 'edited in view');
    await settle();
    await loading;
    expect(shown(chat, 'lobby')).toEqual(range(21, 120));
    expect(text(chat, 'lobby', 70)?.text).toBe('edited while the page was on its way');
    expect(text(chat, 'lobby', 100)?.text).toBe('edited in view');
  });

  it('ignores event types it does not know, and keeps working', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1));
    await settle();
    const before = chat.rooms.get('lobby');
    server.latestSocket.onmessage?.({ data: JSON.stringify({ type: 'reacted', room: 'lobby', emoji: '👍' }) });
    expect(chat.rooms.get('lobby')).toBe(before);
    server.post('lobby', 1);
    expect(shown(chat, 'lobby')).toEqual([1, 2]);
    expect(chat.connection.status).toBe('connected');
  });
});

describe('rooms changed by an administrator', () => {
  it('passes every room-list change on, and shows a new title or staff-only flag in the open room', async () => {
    const { server, chat, settle, heard } = setup();
    chat.openRoom(server.addRoom('lobby', 2));
    await settle();
    server.addRoom('help', 0);
    server.updateRoom('lobby', { title: 'Main hall', staffOnly: true });
    expect(chat.rooms.get('lobby')?.room).toEqual({ id: 'lobby', title: 'Main hall', staffOnly: true, epoch: 1 });
    expect(chat.rooms.get('lobby')?.phase).toBe('joined');
    expect(shown(chat, 'lobby')).toEqual([1, 2]);
    expect(heard.map((change) => [change.kind, change.room.id])).toEqual([
      ['created', 'lobby'],
      ['created', 'help'],
      ['updated', 'lobby'],
    ]);
  });

  it('keeps a deleted room readable, stops sending to it, and neither rejoins nor leaves it', async () => {
    const { server, chat, settle, reconnect, heard } = setup();
    chat.openRoom(server.addRoom('lobby', 3));
    chat.openRoom(server.addRoom('random', 1));
    await settle();
    server.post('lobby', 1);
    expect(chat.unread.get('lobby')).toBe(1);

    server.deleteRoom('lobby');
    const entry = chat.rooms.get('lobby');
    expect(entry?.phase).toBe('deleted');
    expect(entry?.error).toBeNull();
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3, 4]);
    expect(entry?.log.notices).toEqual([]);
    expect(chat.unread.get('lobby')).toBeUndefined();
    expect(heard.at(-1)).toEqual({ type: 'rooms-changed', kind: 'deleted', room: { id: 'lobby', epoch: 1 } });

    chat.retry('lobby');
    await reconnect(() => {});
    expect(chat.rooms.get('lobby')?.phase).toBe('deleted');
    const joins = server.requests.filter((frame) => frame.type === 'join').map((frame) => frame.room);
    expect(joins).toEqual(['lobby', 'random', 'random']);

    chat.closeRoom('lobby');
    await settle();
    expect(server.requests.some((frame) => frame.type === 'leave')).toBe(false);
    expect([...chat.rooms.keys()]).toEqual(['random']);
  });

  it('does not turn a join that was on its way when the room was deleted into an error', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 1);
    server.answering = false;
    chat.openRoom(lobby);
    server.deleteRoom('lobby');
    server.answerHeld(); // the join reaches a server that no longer has the room
    await settle();
    expect(server.requests.at(-1)).toMatchObject({ type: 'join', room: 'lobby' });
    expect(chat.rooms.get('lobby')).toMatchObject({ phase: 'deleted', error: null });
  });

  it('opens a new room that reuses a deleted room’s id afresh', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 5));
    await settle();
    server.deleteRoom('lobby');
    const reborn = server.addRoom('lobby', 1);
    expect(chat.rooms.get('lobby')?.phase).toBe('deleted'); // another room, not this one back
    chat.openRoom(reborn);
    await settle();
    expect(chat.rooms.get('lobby')?.phase).toBe('joined');
    expect(shown(chat, 'lobby')).toEqual([1]);
  });

  it('takes a removal for a deleted room that comes without its room-list change as the deletion', async () => {
    const { server, chat, settle, reconnect } = setup();
    chat.openRoom(server.addRoom('lobby', 2));
    await settle();
    server.latestSocket.deliver({ type: 'removed', room: 'lobby', reason: 'ROOM_INVALID' });
    expect(chat.rooms.get('lobby')).toMatchObject({ phase: 'deleted', error: null });
    expect(shown(chat, 'lobby')).toEqual([1, 2]);

    await reconnect(() => {});
    expect(chat.rooms.get('lobby')?.phase).toBe('deleted');
    expect(server.requests.filter((frame) => frame.type === 'join')).toHaveLength(1);
    chat.closeRoom('lobby');
    await settle();
    expect(server.requests.some((frame) => frame.type === 'leave')).toBe(false);
  });

  it('asks for the room list again after a reconnect, not on the first connect', async () => {
    const { chat, reconnect, reconnects } = setup();
    expect(chat.connection.status).toBe('connected');
    expect(reconnects()).toBe(0);
    await reconnect(() => {});
    expect(reconnects()).toBe(1);
  });
});

describe('rooms the server takes the user out of', () => {
  it('keeps a room made staff-only readable, says access is gone, and neither rejoins nor leaves it', async () => {
    const { server, chat, settle, reconnect } = setup();
    chat.openRoom(server.addRoom('lobby', 3));
    chat.openRoom(server.addRoom('random', 1));
    await settle();

    server.updateRoom('lobby', { staffOnly: true });
    server.revokeAccess('lobby');
    const entry = chat.rooms.get('lobby');
    expect(entry).toMatchObject({ phase: 'removed', error: null });
    expect(entry?.room).toEqual({ id: 'lobby', title: 'Lobby', staffOnly: true, epoch: 1 });
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3]);
    expect(entry?.log.notices).toEqual([]);
    server.post('lobby', 1); // said after alice was taken out: never reaches her
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3]);

    chat.retry('lobby');
    await reconnect(() => {});
    expect(chat.rooms.get('lobby')?.phase).toBe('removed');
    expect(chat.rooms.get('random')?.phase).toBe('joined');
    const joins = server.requests.filter((frame) => frame.type === 'join').map((frame) => frame.room);
    expect(joins).toEqual(['lobby', 'random', 'random']);

    chat.closeRoom('lobby');
    await settle();
    expect(server.requests.some((frame) => frame.type === 'leave')).toBe(false);
    expect([...chat.rooms.keys()]).toEqual(['random']);
  });

  it('joins again, with what was missed, when the user opens the room again and access is back', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 3);
    chat.openRoom(lobby);
    await settle();
    server.revokeAccess('lobby');
    server.post('lobby', 2);

    chat.openRoom(lobby); // still staff-only: refused, as any join would be
    await settle();
    expect(chat.rooms.get('lobby')).toMatchObject({ phase: 'refused', error: 'You do not have access to this room.' });

    server.denied.delete('lobby');
    chat.openRoom(lobby);
    await settle();
    expect(chat.rooms.get('lobby')).toMatchObject({ phase: 'joined', error: null });
    expect(shown(chat, 'lobby')).toEqual([1, 2, 3, 4, 5]);
  });

  it('stays out when the reply to a join on its way arrives after the removal', async () => {
    const { server, chat, settle } = setup();
    const lobby = server.addRoom('lobby', 1);
    server.answering = false;
    chat.openRoom(lobby);
    server.answerHeld(); // the join is in, its reply on the way
    server.revokeAccess('lobby');
    await settle();
    expect(chat.rooms.get('lobby')).toMatchObject({ phase: 'removed', error: null });
    expect(server.requests.at(-1)).toMatchObject({ type: 'leave', room: 'lobby' });
  });

  it('ignores a removal from a room that is not open', async () => {
    const { server, chat, settle } = setup();
    chat.openRoom(server.addRoom('lobby', 1));
    await settle();
    server.latestSocket.deliver({ type: 'removed', room: 'random', reason: 'ROOM_ACCESS_DENIED' });
    expect([...chat.rooms.keys()]).toEqual(['lobby']);
    expect(chat.rooms.get('lobby')?.phase).toBe('joined');
  });
});
