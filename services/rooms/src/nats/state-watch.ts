/**
 * Lets go of what this instance keeps of a room that changed or went: its recent history (RecentHistory).
 * Nothing kept here decides anything: recent history is served only for the exact state a join reads from the
 * database, so a change whose announcement is lost costs memory until the entry ages out, never a stale answer.
 */
import { compile, RoomsChangedEvent, Subjects } from '@chat/protocol';
import { decodeJson, type NatsConnection, type Subscription } from '@chat/nats';
import type { RecentHistory } from '../messages/recent-history.js';

const validRoomsChanged = compile(RoomsChangedEvent);

export function watchRoomStates(nc: NatsConnection, recent: RecentHistory): Subscription[] {
  const changes = nc.subscribe(Subjects.roomsChanged, {
    callback: (err, msg) => {
      if (err) return;
      const event = decodeJson(msg.data);
      // A changed or re-created room reads its history again; a deleted one's is not kept.
      if (validRoomsChanged.check(event)) recent.forget(event.room.id);
    },
  });
  return [changes];
}
