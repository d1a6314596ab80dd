import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionController } from '../../src/controllers/connection';
import { Backoff } from '../../src/lib/backoff';
import { FakeServer, fakeHost } from './fake-server';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setup(options: { sessionValid?: () => Promise<boolean> } = {}) {
  const server = new FakeServer();
  server.addRoom('lobby', 0);
  const calls = { open: 0, ended: 0 };
  // random() = 0 makes every delay exactly half its ceiling: 100, 200, 400, 800…
  const backoff = new Backoff({ baseMs: 200, maxMs: 1_000, random: () => 0 });
  const connection = new ConnectionController(fakeHost(), {
    onEvent: () => {},
    onOpen: () => calls.open++,
    onSessionEnded: () => calls.ended++,
    createSocket: server.createSocket,
    url: 'ws://test/ws',
    backoff,
    stableMs: 5_000,
    heartbeatMs: 60_000,
    requestTimeoutMs: 2_000,
    ...options,
  });
  connection.hostConnected();
  return { server, connection, calls, backoff };
}

describe('ConnectionController', () => {
  it('is connected once the socket opens, and says so on every reconnect', () => {
    const { server, connection, calls } = setup();
    expect(connection.status).toBe('connecting');
    server.latestSocket.open();
    expect(connection.status).toBe('connected');
    expect(calls.open).toBe(1);
  });

  it('reconnects after a server restart (1012) with growing, capped delays', () => {
    const { server, connection, calls } = setup();
    server.latestSocket.open();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = server.sockets.length;
      server.latestSocket.drop(i === 0 ? 1012 : 1006);
      expect(connection.status).toBe('reconnecting');
      expect(connection.retryAt).not.toBeNull();
      waits.push(connection.retryAt! - Date.now());
      vi.advanceTimersByTime(waits.at(-1)! - 1);
      expect(server.sockets.length).toBe(before); // not yet
      vi.advanceTimersByTime(1);
      expect(server.sockets.length).toBe(before + 1);
    }
    expect(waits).toEqual([100, 200, 400, 500, 500]);
    server.latestSocket.open();
    expect(connection.status).toBe('connected');
    expect(calls.open).toBe(2);
  });

  it('starts the backoff from the beginning once a connection has stayed up', () => {
    const { server, connection, backoff } = setup();
    server.latestSocket.open();
    server.latestSocket.drop();
    vi.advanceTimersByTime(100);
    server.latestSocket.drop(); // never opened
    vi.advanceTimersByTime(200);
    expect(backoff.attempt).toBe(2);
    server.latestSocket.open();
    vi.advanceTimersByTime(4_999);
    expect(backoff.attempt).toBe(2); // a flapping server does not reset it
    vi.advanceTimersByTime(1);
    expect(backoff.attempt).toBe(0);
    server.latestSocket.drop();
    expect(connection.retryAt! - Date.now()).toBe(100);
  });

  it('stops and reports the session ended on close code 1008', () => {
    const { server, connection, calls } = setup();
    server.latestSocket.open();
    server.latestSocket.drop(1008);
    expect(connection.status).toBe('ended');
    expect(calls.ended).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(server.sockets.length).toBe(1);
  });

  it('ends the session when a socket is refused and the session check says it is gone', async () => {
    const { server, connection, calls } = setup({ sessionValid: async () => false });
    server.latestSocket.drop(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.status).toBe('ended');
    expect(calls.ended).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(server.sockets.length).toBe(1);
  });

  it('keeps retrying when the session check cannot tell (gateway down)', async () => {
    const { server, connection } = setup({ sessionValid: async () => true });
    server.latestSocket.drop(1006);
    await vi.advanceTimersByTimeAsync(100);
    expect(connection.status).toBe('reconnecting');
    expect(server.sockets.length).toBe(2);
  });

  it('correlates replies with requests and fails requests in flight when the socket drops', async () => {
    const { server, connection } = setup();
    server.latestSocket.open();
    const joined = connection.request({ type: 'join', room: 'lobby' });
    await vi.advanceTimersByTimeAsync(1);
    await expect(joined).resolves.toMatchObject({ room: { id: 'lobby' }, messages: [] });

    server.answering = false;
    const lost = connection.request({ type: 'history', room: 'lobby', before: 5 });
    server.latestSocket.drop(1012);
    await expect(lost).rejects.toMatchObject({ code: 'DISCONNECTED' });
    await expect(connection.request({ type: 'ping' })).rejects.toMatchObject({ code: 'DISCONNECTED' });
  });

  it('treats an unanswered heartbeat as a dead connection and reconnects', async () => {
    const server = new FakeServer();
    const connection = new ConnectionController(fakeHost(), {
      onEvent: () => {},
      onOpen: () => {},
      onSessionEnded: () => {},
      createSocket: server.createSocket,
      backoff: new Backoff({ baseMs: 200, random: () => 0 }),
      heartbeatMs: 1_000,
      requestTimeoutMs: 500,
    });
    connection.hostConnected();
    server.latestSocket.open();
    server.answering = false;
    await vi.advanceTimersByTimeAsync(1_500);
    expect(server.sockets[0]?.closedWith).toBe(4000);
    expect(connection.status).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(100);
    expect(server.sockets.length).toBe(2);
  });

  it('closes the socket and stops retrying when the page goes away', () => {
    const { server, connection } = setup();
    server.latestSocket.open();
    connection.hostDisconnected();
    expect(server.latestSocket.closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(server.sockets.length).toBe(1);
  });
});
