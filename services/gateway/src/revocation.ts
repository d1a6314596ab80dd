/**
 * Access that ends while a socket is open ends on that socket too: a disabled, deleted or logged-out user
 * is disconnected (1008); a user who lost staff leaves the staff-only rooms; members of a deleted room, and
 * non-staff members of a room made staff-only, are taken out of it. The facts come from the services'
 * change events; the decisions use the user's flags as the auth service has them now.
 */
import {
  CloseCode,
  type RoomsChangedEvent,
  type RoomsChangedFrame,
  Subjects,
  type UserChangedEvent,
} from '@chat/protocol';
import { decodeJson, type NatsConnection, type Subscription } from '@chat/nats';
import type { UserDirectory } from '@chat/service-kit';
import type { FastifyBaseLogger } from 'fastify';
import type { Hub } from './hub.js';
import type { Session } from './session.js';
import type { SessionRegistry } from './session-registry.js';

export function watchRevocations(
  nc: NatsConnection,
  deps: {
    hub: Hub<Session>;
    users: UserDirectory;
    sessions: SessionRegistry;
    log: FastifyBaseLogger;
  },
): Subscription[] {
  const { hub, users, sessions, log } = deps;
  // Asked afresh: a kept answer may be the very one the change made stale.
  const currentFlags = (userId: string) => users.lookup(userId, { fresh: true });

  async function userChanged(event: UserChangedEvent): Promise<void> {
    const local = [...sessions.ofUser(event.id)];
    if (local.length === 0) return;
    const user = await currentFlags(event.id);
    for (const session of local) {
      if (!user || user.disabled || user.sessionVersion !== session.sessionVersion) {
        session.end(CloseCode.POLICY, 'the session has ended');
      } else if (!user.isStaff) {
        for (const room of session.staffOnlyRooms()) session.revoke(room, 'ROOM_ACCESS_DENIED');
      }
    }
  }

  async function roomChanged(event: RoomsChangedEvent): Promise<void> {
    // Everyone's room list follows (the list shows every room, staff-only ones flagged, to everyone).
    const frame = Buffer.from(
      JSON.stringify({ type: 'rooms-changed', kind: event.kind, room: event.room } satisfies RoomsChangedFrame),
    );
    for (const session of sessions.all()) session.deliver(frame);
    const members = hub.membersOf(event.room.id);
    if (members.length === 0) return;
    if (event.kind === 'deleted') {
      for (const session of members) session.revoke(event.room.id, 'ROOM_INVALID');
    } else if (event.kind === 'updated' && event.room.staffOnly) {
      const staffByUser = new Map<string, boolean>();
      for (const session of members) {
        let isStaff = staffByUser.get(session.user.id);
        if (isStaff === undefined) {
          isStaff = (await currentFlags(session.user.id))?.isStaff ?? false;
          staffByUser.set(session.user.id, isStaff);
        }
        if (!isStaff) session.revoke(event.room.id, 'ROOM_ACCESS_DENIED');
      }
    }
  }

  const handle =
    <T>(name: string, fn: (event: T) => Promise<void>) =>
    (err: Error | null, msg: { data: Uint8Array }) => {
      if (err) return;
      const event = decodeJson(msg.data) as T | undefined;
      if (!event) return;
      fn(event).catch((error) => log.warn({ err: error }, `could not apply ${name}`));
    };

  return [
    nc.subscribe(Subjects.userChanged, { callback: handle('a user change', userChanged) }),
    nc.subscribe(Subjects.roomsChanged, { callback: handle('a room change', roomChanged) }),
  ];
}
