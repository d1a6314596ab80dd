/**
 * Keeps the rooms' kept states honest (RoomStore.findWithHistoryState): every event published in a room,
 * by this instance or another, and every change of the room list forgets that room's state. Join and leave
 * notices change nothing a join reads, so they are skipped by their type, read from the event's `Chat-Event`
 * header (the body is not parsed). A change of the room list also forgets the room's kept
 * history and who may use it. While the connection to NATS is down events may be missed, so every kept
 * state is forgotten on disconnect and again on reconnect.
 */
import { compile, ROOM_SUBJECT_PREFIX, RoomEventHeaders, RoomsChangedEvent, Subjects } from '@chat/protocol';
import { decodeJson, type NatsConnection, type Subscription } from '@chat/nats';
import type { RecentHistory } from '../messages/recent-history.js';
import type { RoomAccessCheck } from '../rooms/access.js';
import type { RoomStore } from '../rooms/store.js';

const validRoomsChanged = compile(RoomsChangedEvent);

/** Events that change nothing a join reads. */
const NOTICES = new Set(['joined', 'left']);

/** What this instance keeps of rooms: room states, recent history, who may use them. */
export interface KeptRoomState {
  rooms: RoomStore;
  recent: RecentHistory;
  access: RoomAccessCheck;
}

export function watchRoomStates(nc: NatsConnection, { rooms, recent, access }: KeptRoomState): Subscription[] {
  const events = nc.subscribe(`${ROOM_SUBJECT_PREFIX}*`, {
    callback: (err, msg) => {
      if (err) return;
      // Notices carry their type in a header (messages their seq; edits and deletions nothing): a header read,
      // not a parse of the body.
      if (msg.headers && NOTICES.has(msg.headers.get(RoomEventHeaders.type))) return;
      rooms.forgetState(msg.subject.slice(ROOM_SUBJECT_PREFIX.length));
    },
  });
  const changes = nc.subscribe(Subjects.roomsChanged, {
    callback: (err, msg) => {
      if (err) return;
      const event = decodeJson(msg.data);
      // Whatever it is, something changed: a malformed announcement forgets everything rather than nothing.
      const id = validRoomsChanged.check(event) ? event.room.id : undefined;
      if (id === undefined) {
        rooms.forgetState();
        access.forget();
        return;
      }
      rooms.forgetState(id);
      access.forget(id);
      // A changed or re-created room reads its history again; a deleted one's is not kept.
      recent.forget(id);
    },
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect') {
        rooms.forgetState();
        access.forget();
      }
    }
  })();
  return [events, changes];
}
