/** The presence endpoints: a room's member pages, and gateways saying they are alive (see presence/store.ts). */
import {
  compile,
  GatewayHeartbeat,
  type GatewayHeartbeatResult,
  MembersRequest,
  membersResultJson,
  Subjects,
  type UserRef,
} from '@chat/protocol';
import { endpoint, RawReply, type ServiceSpec } from '@chat/nats';
import type { MembersPage, PresenceStore } from '../presence/store.js';
import type { RoomStore } from '../rooms/store.js';
import type { RoomEvents } from './room-events.js';

/**
 * Counts a joining socket in, announces the user when it is their first socket anywhere, and answers the
 * room's first page of members as they are now (the joiner among them).
 */
export async function enterPresence(
  presence: PresenceStore,
  events: RoomEvents,
  room: string,
  user: UserRef,
  gateway: string | undefined,
  again: boolean | undefined,
): Promise<MembersPage> {
  if (await presence.enter(room, user, gateway, again)) events.joined(room, user);
  return presence.members(room);
}

export function presenceEndpoints(presence: PresenceStore, rooms: RoomStore): ServiceSpec['endpoints'] {
  return {
    members: endpoint({
      subject: Subjects.rooms.members,
      validator: compile(MembersRequest),
      async handle({ room, after }): Promise<RawReply> {
        await rooms.get(room);
        const page = await presence.members(room, after);
        return new RawReply(membersResultJson(room, page.json, page.count));
      },
    }),
    heartbeat: endpoint({
      subject: Subjects.rooms.heartbeat,
      validator: compile(GatewayHeartbeat),
      handle: async ({ gateway }): Promise<GatewayHeartbeatResult> => ({ known: await presence.heartbeat(gateway) }),
    }),
  };
}
