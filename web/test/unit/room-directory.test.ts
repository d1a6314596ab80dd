/** The room list as the page shows it: read over REST, then kept live by the socket's room-list changes. */
import type { Room, RoomsChangedFrame } from '@chat/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listRooms } from '../../src/api/rooms';
import { RoomDirectoryController } from '../../src/controllers/room-directory';
import { fakeHost } from './fake-server';

vi.mock('../../src/api/rooms', () => ({ listRooms: vi.fn() }));
const list = vi.mocked(listRooms);
afterEach(() => list.mockReset());

const lobby: Room = { id: 'lobby', title: 'Lobby', staffOnly: false, epoch: 1 };
const help: Room = { id: 'help', title: 'Help', staffOnly: false, epoch: 2 };
const created = (room: Room): RoomsChangedFrame => ({ type: 'rooms-changed', kind: 'created', room });

/** A listRooms answer that the test sends when it likes. */
function answerLater() {
  let answer: (rooms: Room[]) => void = () => {};
  list.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
  return (rooms: Room[]) => answer(rooms);
}

describe('RoomDirectoryController', () => {
  it('shows a room created while the list was being read, whether or not the answer had it', async () => {
    const host = fakeHost();
    const directory = new RoomDirectoryController(host);
    const answer = answerLater();
    const refreshing = directory.refresh();
    directory.apply(created(help)); // heard before the answer, which was read before the room existed
    answer([lobby]);
    await refreshing;
    expect(directory.rooms).toEqual([help, lobby]);
    expect(directory.loading).toBe(false);

    list.mockResolvedValueOnce([help, lobby]);
    await directory.refresh();
    expect(directory.rooms).toEqual([help, lobby]);
    expect(host.updates).toBeGreaterThan(0);
  });

  it('keeps only the latest refresh when an older answer arrives last', async () => {
    const directory = new RoomDirectoryController(fakeHost());
    const older = answerLater();
    const newer = answerLater();
    const first = directory.refresh();
    const second = directory.refresh();
    newer([help, lobby]);
    await second;
    older([lobby]);
    await first;
    expect(directory.rooms).toEqual([help, lobby]);
    expect(directory.loading).toBe(false);
  });

  it('applies changes in place and asks for nothing', () => {
    const host = fakeHost();
    const directory = new RoomDirectoryController(host);
    directory.apply(created(lobby));
    directory.apply(created(help));
    directory.apply({ type: 'rooms-changed', kind: 'updated', room: { ...lobby, title: 'Atrium', staffOnly: true } });
    expect(directory.rooms).toEqual([{ id: 'lobby', title: 'Atrium', staffOnly: true, epoch: 1 }, help]);
    directory.apply({ type: 'rooms-changed', kind: 'deleted', room: { id: 'help', epoch: 2 } });
    const updates = host.updates;
    directory.apply({ type: 'rooms-changed', kind: 'deleted', room: { id: 'gone', epoch: 9 } });
    expect(directory.rooms.map((room) => room.id)).toEqual(['lobby']);
    expect(host.updates).toBe(updates); // nothing changed, nothing to render
    expect(list).not.toHaveBeenCalled();
  });
});
