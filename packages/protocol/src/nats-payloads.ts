/** Request and reply bodies of the services' NATS endpoints. */
import { type Static, Type } from '@sinclair/typebox';
import { HISTORY_ON_JOIN, MAX_FRAME_BYTES, MAX_HISTORY_PAGE } from './limits.js';
import { ResumePosition, Room, RoomEpoch, RoomId, UserRef, Uuid } from './models.js';

/** A gateway process's id, new at every start. */
export const GatewayId = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

export const UserGetRequest = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type UserGetRequest = Static<typeof UserGetRequest>;

export const JoinRequest = Type.Object({
  room: RoomId,
  user: UserRef,
  /** How many recent messages to return; defaults to HISTORY_ON_JOIN. */
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_HISTORY_PAGE, default: HISTORY_ON_JOIN })),
  /**
   * The gateway instance holding the socket: presence counts the user's sockets per gateway, so a dead gateway's
   * can be taken out. Absent (a tool, a test): counted apart, never swept.
   */
  gateway: Type.Optional(GatewayId),
  /** The socket is in the room already (it joins again for fresh history): presence does not count it twice. */
  again: Type.Optional(Type.Boolean()),
  /** Where the joiner's copy of the room ends: the answer is what came after it, or a reset (the join frame's). */
  resume: Type.Optional(ResumePosition),
});
export type JoinRequest = Static<typeof JoinRequest>;

export const LeaveRequest = Type.Object({ room: RoomId, user: UserRef, gateway: Type.Optional(GatewayId) });
export type LeaveRequest = Static<typeof LeaveRequest>;

// A request below that names the epoch (RoomEpoch) its sender joined is refused (ROOM_INVALID) when the room
// is no longer that incarnation.

export const SendRequest = Type.Object({
  room: RoomId,
  epoch: Type.Optional(RoomEpoch),
  author: UserRef,
  text: Type.String({ maxLength: MAX_FRAME_BYTES }),
  /** Chosen by the gateway, so that a retried send is stored once: the message keeps this id. */
  id: Type.Optional(Uuid),
  /** 2 and up: an earlier attempt may have been stored already; look before writing. */
  attempt: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
});
export type SendRequest = Static<typeof SendRequest>;

export const EditRequest = Type.Object({
  room: RoomId,
  epoch: Type.Optional(RoomEpoch),
  id: Uuid,
  user: UserRef,
  text: Type.String({ maxLength: MAX_FRAME_BYTES }),
});
export type EditRequest = Static<typeof EditRequest>;
export const DeleteRequest = Type.Object({
  room: RoomId,
  epoch: Type.Optional(RoomEpoch),
  id: Uuid,
  user: UserRef,
});
export type DeleteRequest = Static<typeof DeleteRequest>;

export const HistoryRequest = Type.Object({
  room: RoomId,
  epoch: Type.Optional(RoomEpoch),
  /** Who reads: refused unless they may enter the room now. */
  user: UserRef,
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE })),
});
export type HistoryRequest = Static<typeof HistoryRequest>;

/** rooms.members: a page of a room's members, asked for a member of it (the gateway checked). */
export const MembersRequest = Type.Object({
  room: RoomId,
  user: UserRef,
  after: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export type MembersRequest = Static<typeof MembersRequest>;

/** rooms.heartbeat: a gateway is alive. `known` false: it had been taken for dead (its presence is gone). */
export const GatewayHeartbeat = Type.Object({ gateway: GatewayId });
export type GatewayHeartbeat = Static<typeof GatewayHeartbeat>;
export const GatewayHeartbeatResult = Type.Object({ known: Type.Boolean() });
export type GatewayHeartbeatResult = Static<typeof GatewayHeartbeatResult>;

/** Most rooms one rooms.access request may ask about. */
export const MAX_ACCESS_ROOMS = 1000;

/** rooms.access: the rooms as they are now, read from the store, for re-checking who may stay in them. */
export const RoomAccessRequest = Type.Object({
  rooms: Type.Array(RoomId, { maxItems: MAX_ACCESS_ROOMS }),
});
export type RoomAccessRequest = Static<typeof RoomAccessRequest>;

export const RoomAccess = Type.Object({ id: RoomId, epoch: RoomEpoch, staffOnly: Type.Boolean() });
export type RoomAccess = Static<typeof RoomAccess>;

/** The rooms asked about that exist, in any order; a room left out does not exist (any more). */
export const RoomAccessResult = Type.Object({ rooms: Type.Array(RoomAccess) });
export type RoomAccessResult = Static<typeof RoomAccessResult>;

/**
 * rooms.changed: a room was created, changed or deleted (a deleted room carries its id and epoch only). The
 * gateways pass it on to every socket as `rooms-changed`; every instance of every service validates it on
 * the way in.
 */
export const RoomsChangedEvent = Type.Union([
  Type.Object({
    kind: Type.Union([Type.Literal('created'), Type.Literal('updated')]),
    /** Its `epoch` is the incarnation created or changed. */
    room: Room,
  }),
  Type.Object({ kind: Type.Literal('deleted'), room: Type.Object({ id: RoomId, epoch: RoomEpoch }) }),
]);
export type RoomsChangedEvent = Static<typeof RoomsChangedEvent>;

/** auth.events.user.changed: this user's flags or sessions changed; holders of kept answers drop them. */
export const UserChangedEvent = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type UserChangedEvent = Static<typeof UserChangedEvent>;
