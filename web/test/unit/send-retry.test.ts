/**
 * Exactly-once sends from the client's side: every send carries a message id, and a send whose outcome is unknown
 * (UNAVAILABLE, no answer in time, the socket dropped with it in flight) goes again under the same id, so the
 * message is stored once and shown once, and nothing typed is lost.
 */
import type { ClientFrame, SendFrame } from '@chat/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChatController } from '../../src/controllers/chat';
import { Backoff } from '../../src/lib/backoff';
import { FakeServer, fakeHost } from './fake-server';
import { seqs } from './fixtures';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

async function setup() {
  const server = new FakeServer();
  const chat = new ChatController(fakeHost(), {
    selfId: () => 'u-alice',
    onSessionEnded: () => {},
    connection: {
      createSocket: server.createSocket,
      url: 'ws://test/ws',
      backoff: new Backoff({ baseMs: 200, random: () => 0 }),
      heartbeatMs: 600_000,
      requestTimeoutMs: 3000,
      sessionValid: async () => true,
    },
  });
  chat.connection.hostConnected();
  server.latestSocket.open();
  chat.openRoom(server.addRoom('lobby', 2));
  await vi.advanceTimersByTimeAsync(20);
  return { server, chat };
}

const sends = (server: FakeServer) => server.requests.filter((f: ClientFrame): f is SendFrame => f.type === 'send');
const shown = (chat: ChatController) => seqs(chat.rooms.get('lobby')?.log.messages ?? []);
/** How many times the room shows the message with this id. */
const timesShown = (chat: ChatController, id: string | undefined) =>
  (chat.rooms.get('lobby')?.log.messages ?? []).filter((m) => m.id === id).length;

describe('a send whose outcome is unknown', () => {
  it('answered UNAVAILABLE although it was stored, goes again under its id and is shown once', async () => {
    const { server, chat } = await setup();
    server.unansweredCommits = 1;
    const sending = chat.send('lobby', 'hello');
    await vi.advanceTimersByTimeAsync(1000);
    await expect(sending).resolves.toBe(true);

    const [first, again] = sends(server);
    expect(sends(server)).toHaveLength(2);
    expect(first?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(again?.id).toBe(first?.id);
    expect(shown(chat)).toEqual([1, 2, 3]);
    expect(server.stored('lobby', 4)).toBeUndefined();
    expect(chat.rooms.get('lobby')?.error).toBeNull();
  });

  it('in flight when the socket drops, goes again under its id once the room is joined again', async () => {
    const { server, chat } = await setup();
    server.answering = false;
    const sending = chat.send('lobby', 'through the drop');
    await vi.advanceTimersByTimeAsync(5);
    server.latestSocket.drop(1006);
    // The server stored it; its answer went to the socket that is gone.
    server.answerHeld();
    await vi.advanceTimersByTimeAsync(200);
    server.latestSocket.open();
    await vi.advanceTimersByTimeAsync(50);
    await expect(sending).resolves.toBe(true);

    const [first, again] = sends(server);
    expect(again?.id).toBe(first?.id);
    // The rejoin came before the repeat: the repeat was sent from inside the room again.
    const frames = server.requests.map((f) => f.type);
    expect(frames.lastIndexOf('join')).toBeLessThan(frames.lastIndexOf('send'));
    expect(timesShown(chat, first?.id)).toBe(1);
    expect(server.stored('lobby', 4)).toBeUndefined();
  });

  it('with no answer in time, goes again under its id, and the late answer changes nothing', async () => {
    const { server, chat } = await setup();
    server.answering = false;
    const sending = chat.send('lobby', 'slow');
    await vi.advanceTimersByTimeAsync(3000 + 500 + 10);
    expect(sends(server)).toHaveLength(2);
    server.answerHeld();
    await vi.advanceTimersByTimeAsync(20);
    await expect(sending).resolves.toBe(true);
    expect(new Set(sends(server).map((f) => f.id)).size).toBe(1);
    expect(shown(chat)).toEqual([1, 2, 3]);
  });

  it('given up on and sent again by the user (the composer kept the text), keeps its id', async () => {
    const { server, chat } = await setup();
    server.answering = false;
    const sending = chat.send('lobby', 'later');
    // Every try unanswered: five of them, with their pauses between.
    await vi.advanceTimersByTimeAsync(5 * 3000 + 500 + 1000 + 2000 + 4000 + 10);
    await expect(sending).resolves.toBe(false);
    expect(chat.rooms.get('lobby')?.error).toMatch(/^Message not sent\. The server did not answer in time/);
    // The server had stored it all along.
    server.answerHeld();
    await vi.advanceTimersByTimeAsync(20);

    const again = chat.send('lobby', 'later');
    await vi.advanceTimersByTimeAsync(20);
    await expect(again).resolves.toBe(true);
    const ids = sends(server).map((f) => f.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(1);
    expect(timesShown(chat, ids[0])).toBe(1);
  });
});
