import type { Room, RoomsChangedFrame } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { applyRoomChange } from '../../src/lib/room-changes';

const room = (id: string, title: string, staffOnly = false): Room => ({ id, title, staffOnly, epoch: 1 });
const change = (kind: RoomsChangedFrame['kind'], changed: RoomsChangedFrame['room']): RoomsChangedFrame =>
  ({ type: 'rooms-changed', kind, room: changed }) as RoomsChangedFrame;
const titles = (rooms: readonly Room[]) => rooms.map((r) => r.title);

const listed = [room('general', 'General'), room('lobby', 'Lobby'), room('random', 'Random')];

describe('applyRoomChange', () => {
  it('puts a created room where the title order says, as the REST list would', () => {
    const first = applyRoomChange(listed, change('created', room('announcements', 'Announcements')));
    const middle = applyRoomChange(listed, change('created', room('help', 'Help', true)));
    const last = applyRoomChange(listed, change('created', room('watercooler', 'Watercooler')));
    expect(titles(first)).toEqual(['Announcements', 'General', 'Lobby', 'Random']);
    expect(middle[1]).toEqual(room('help', 'Help', true));
    expect(titles(last)).toEqual(['General', 'Lobby', 'Random', 'Watercooler']);
    expect(titles(applyRoomChange([], change('created', room('a', 'A'))))).toEqual(['A']);
    expect(titles(listed)).toEqual(['General', 'Lobby', 'Random']); // the list it was given is left alone
  });

  it('orders like the REST list: by title as a person reads it (capitals aside, numbers by value), then by id', () => {
    let rooms: readonly Room[] = [];
    const created = [room('b', 'banana'), room('z', 'Zebra'), room('dup-2', 'Apple'), room('dup-1', 'Apple')];
    for (const r of [...created, room('r10', 'Room 10'), room('r2', 'Room 2'), room('e', 'Éclair')]) {
      rooms = applyRoomChange(rooms, change('created', r));
    }
    expect(rooms.map((r) => r.id)).toEqual(['dup-1', 'dup-2', 'b', 'e', 'r2', 'r10', 'z']);
  });

  it('renames a room in place and moves it to where its new title belongs', () => {
    const renamed = applyRoomChange(listed, change('updated', room('general', 'Stand-up')));
    expect(renamed).toEqual([room('lobby', 'Lobby'), room('random', 'Random'), room('general', 'Stand-up')]);
  });

  it('shows a room made staff-only as such', () => {
    const updated = applyRoomChange(listed, change('updated', room('lobby', 'Lobby', true)));
    expect(updated.find((r) => r.id === 'lobby')?.staffOnly).toBe(true);
    expect(titles(updated)).toEqual(titles(listed));
  });

  it('removes a deleted room', () => {
    expect(applyRoomChange(listed, change('deleted', { id: 'lobby', epoch: 1 }))).toEqual([
      room('general', 'General'),
      room('random', 'Random'),
    ]);
  });

  it('ignores the deletion of a room it does not list, returning the same list', () => {
    expect(applyRoomChange(listed, change('deleted', { id: 'nowhere', epoch: 1 }))).toBe(listed);
  });

  it('never lists a room twice, whichever of the list and the change came first', () => {
    // The REST answer already had the room that the `created` frame announces.
    expect(applyRoomChange(listed, change('created', room('lobby', 'Lobby')))).toEqual(listed);
    // An update for a room the list lacks (its creation came before the list was read) adds it.
    expect(titles(applyRoomChange(listed, change('updated', room('help', 'Help'))))).toEqual([
      'General',
      'Help',
      'Lobby',
      'Random',
    ]);
  });
});
