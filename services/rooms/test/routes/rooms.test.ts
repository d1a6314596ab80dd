import { compareRooms, type Room, type RoomsChangedEvent, SESSION_COOKIE, Subjects } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Stack, startStack, type TestUser } from '../stack.js';

let stack: Stack;
let alice: TestUser;

beforeAll(async () => {
  stack = await startStack();
  alice = await stack.createUser('alice');
});
afterAll(() => stack?.close());

describe('rooms over REST', () => {
  it('lets an administrator create, rename, restrict and delete a room, announcing each change', async () => {
    const changes = await listen<RoomsChangedEvent>(stack.nc, Subjects.roomsChanged);
    const { admin } = stack;

    const created = await stack.api<Room>('/api/rooms', {
      method: 'POST',
      token: admin.token,
      body: { title: 'Book Club' },
    });
    expect(created.status).toBe(201);
    // Every room shows its incarnation: the same one from creation to deletion.
    const { epoch } = created.body;
    expect(created.body).toEqual({ id: 'book-club', title: 'Book Club', staffOnly: false, epoch });
    expect(epoch).toBeGreaterThan(0);

    const renamed = await stack.api<Room>('/api/rooms/book-club', {
      method: 'PATCH',
      token: admin.token,
      body: { title: 'Readers', staffOnly: true },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toEqual({ id: 'book-club', title: 'Readers', staffOnly: true, epoch });

    const listed = await stack.api<Room[]>('/api/rooms', { token: admin.token });
    expect(listed.body).toContainEqual({ id: 'book-club', title: 'Readers', staffOnly: true, epoch });

    const deleted = await stack.api('/api/rooms/book-club', { method: 'DELETE', token: admin.token });
    expect(deleted.status).toBe(204);
    const after = await stack.api<Room[]>('/api/rooms', { token: admin.token });
    expect(after.body.map((r) => r.id)).not.toContain('book-club');

    await changes.waitFor(3);
    expect(changes.received).toEqual([
      { kind: 'created', room: { id: 'book-club', title: 'Book Club', staffOnly: false, epoch } },
      { kind: 'updated', room: { id: 'book-club', title: 'Readers', staffOnly: true, epoch } },
      { kind: 'deleted', room: { id: 'book-club', epoch } },
    ]);
    await changes.stop();
  });

  it('lists every room by title, staff-only ones flagged, to any signed-in user', async () => {
    await stack.createRoom('Zebras');
    await stack.createRoom('Aardvarks', true);
    const res = await stack.api<Room[]>('/api/rooms', { token: alice.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual([...res.body].sort(compareRooms));
    const epoch = expect.any(Number);
    expect(res.body).toContainEqual({ id: 'aardvarks', title: 'Aardvarks', staffOnly: true, epoch });
    expect(res.body).toContainEqual({ id: 'zebras', title: 'Zebras', staffOnly: false, epoch });
  });

  it('lists rooms as a person reads them: capitals and accents aside, numbers by value', async () => {
    const order = [
      'äpfel sort',
      'apple sort',
      'Apple sort',
      'banana sort',
      'Éclair sort',
      'Room 2 sort',
      'Room 10 sort',
    ];
    for (const title of [...order].reverse()) await stack.createRoom(title);
    const res = await stack.api<Room[]>('/api/rooms', { token: alice.token });
    expect(res.body.map((r) => r.title).filter((title) => title.endsWith(' sort'))).toEqual(order);
  });

  it('shows one room to any signed-in user, a staff-only one flagged as in the list', async () => {
    const open = await stack.createRoom('Open Door');
    const staffOnly = await stack.createRoom('Back Office', true);
    for (const room of [open, staffOnly]) {
      const res = await stack.api<Room>(`/api/rooms/${room.id}`, { token: alice.token });
      expect(res).toEqual({ status: 200, body: room });
    }
    const list = await stack.api<Room[]>('/api/rooms', { token: alice.token });
    expect(list.body).toContainEqual(staffOnly);
    // Entering it is what is refused.
    const history = await stack.api<{ code: string }>(`/api/rooms/${staffOnly.id}/messages`, { token: alice.token });
    expect(history.status).toBe(403);
    expect(history.body.code).toBe('ROOM_ACCESS_DENIED');
    const anonymous = await stack.api<{ code: string }>(`/api/rooms/${open.id}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHORIZED');
  });

  it('accepts the session cookie as well as the bearer token', async () => {
    const res = await stack.api<Room[]>('/api/rooms', { headers: { cookie: `${SESSION_COOKIE}=${alice.token}` } });
    expect(res.status).toBe(200);
  });

  it('refuses the room list without a session', async () => {
    const res = await stack.api<{ code: string }>('/api/rooms');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('UNAUTHORIZED');
  });

  it('refuses room changes to users who are not administrators', async () => {
    const room = await stack.createRoom('Admins Decide');
    const create = await stack.api<{ code: string }>('/api/rooms', {
      method: 'POST',
      token: alice.token,
      body: { title: 'Mine' },
    });
    expect(create.status).toBe(403);
    expect(create.body.code).toBe('FORBIDDEN');
    const patch = await stack.api<{ code: string }>(`/api/rooms/${room.id}`, {
      method: 'PATCH',
      token: alice.token,
      body: { title: 'x' },
    });
    expect(patch.status).toBe(403);
    const del = await stack.api<{ code: string }>(`/api/rooms/${room.id}`, { method: 'DELETE', token: alice.token });
    expect(del.status).toBe(403);
    const list = await stack.api<Room[]>('/api/rooms', { token: alice.token });
    expect(list.body).toContainEqual(room);
    expect(list.body.map((r) => r.title)).not.toContain('Mine');
  });

  it('gives rooms readable ids from their titles, numbered when taken, and keeps the id on rename', async () => {
    const first = await stack.createRoom('Movie Night!');
    const second = await stack.createRoom('movie night');
    const third = await stack.createRoom('MOVIE   NIGHT');
    const symbols = await stack.createRoom('***');
    const sameSymbols = await stack.createRoom('***');
    const japanese = await stack.createRoom('日本語');
    const japaneseAgain = await stack.createRoom('日本語');
    expect([first.id, second.id, third.id]).toEqual(['movie-night', 'movie-night-2', 'movie-night-3']);
    expect([japanese.id, japaneseAgain.id]).toEqual(['ri-ben-yu', 'ri-ben-yu-2']);
    expect(symbols.id).toMatch(/^room-[0-9a-f]{8}$/);
    expect(sameSymbols.id).toBe(`${symbols.id}-2`);

    const renamed = await stack.api<Room>(`/api/rooms/${second.id}`, {
      method: 'PATCH',
      token: stack.admin.token,
      body: { title: 'Cinema' },
    });
    expect(renamed.body).toEqual({ id: 'movie-night-2', title: 'Cinema', staffOnly: false, epoch: expect.any(Number) });
  });

  it('never gives a room an id that is a health path, so every room can be read at /api/rooms/:id', async () => {
    const health = await stack.createRoom('Health');
    const ready = await stack.createRoom('readyz');
    expect([health.id, ready.id]).toEqual(['health-2', 'readyz-2']);
    const read = await stack.api<Room>(`/api/rooms/${health.id}`, { token: stack.admin.token });
    expect(read.body).toEqual({ id: 'health-2', title: 'Health', staffOnly: false, epoch: expect.any(Number) });
  });

  it('answers 404 ROOM_INVALID for unknown or malformed room ids', async () => {
    const { admin } = stack;
    for (const id of ['no-such-room', 'Bad.Id', '%3E', 'a%20b', '-x', 'x'.repeat(65)]) {
      const patch = await stack.api<{ code: string }>(`/api/rooms/${id}`, {
        method: 'PATCH',
        token: admin.token,
        body: { title: 't' },
      });
      expect(patch.status, id).toBe(404);
      expect(patch.body.code).toBe('ROOM_INVALID');
      const get = await stack.api<{ code: string }>(`/api/rooms/${id}`, { token: alice.token });
      expect(get.status, id).toBe(404);
      expect(get.body.code).toBe('ROOM_INVALID');
      const del = await stack.api<{ code: string }>(`/api/rooms/${id}`, { method: 'DELETE', token: admin.token });
      expect(del.status, id).toBe(404);
      expect(del.body.code).toBe('ROOM_INVALID');
      const history = await stack.api<{ code: string }>(`/api/rooms/${id}/messages`, { token: admin.token });
      expect(history.status, id).toBe(404);
      expect(history.body.code).toBe('ROOM_INVALID');
    }
  });

  it('refuses invalid room bodies with 400 BAD_REQUEST', async () => {
    const { admin } = stack;
    for (const body of [
      {},
      { title: '' },
      { title: '   ' },
      { title: 'x'.repeat(101) },
      { title: 'ok', id: 'chosen' },
      { title: 'ok', staffOnly: 'yes' },
    ]) {
      const res = await stack.api<{ code: string }>('/api/rooms', { method: 'POST', token: admin.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
    }
    const room = await stack.createRoom('Patchable');
    const empty = await stack.api<{ code: string }>(`/api/rooms/${room.id}`, {
      method: 'PATCH',
      token: admin.token,
      body: {},
    });
    expect(empty.status).toBe(400);
  });

  it('reports readiness without a session (health is the older name of readyz)', async () => {
    const res = await stack.api('/api/rooms/health');
    expect(res).toMatchObject({ status: 200, body: { status: 'ok', service: 'rooms' } });
  });
});
