/**
 * What the gateway sends to a socket, one TypeBox schema per frame: replies to the client's requests, the
 * events of its rooms, and the notices to it alone. Types come from the schemas; the tests validate every
 * frame the servers build against them (spliced-json.test.ts, and the gateway's own tests).
 */
import { type Static, Type } from '@sinclair/typebox';
import { ErrorCode } from './errors.js';
import { MAX_REF_LENGTH } from './limits.js';
import { ChatMessage, DateTime, Room, RoomEpoch, RoomId, UserRef } from './models.js';
import { RequestId } from './request-id.js';

const Ref = Type.String({ minLength: 1, maxLength: MAX_REF_LENGTH });

/** What a refused request is told. */
export const ErrorBody = Type.Object({
  code: Type.Union(Object.values(ErrorCode).map((code) => Type.Literal(code))),
  message: Type.String(),
  /** The gateway's id of the request, for the user to report: it finds the request in every service's log. */
  requestId: Type.Optional(RequestId),
});
export type ErrorBody = { code: ErrorCode; message: string; requestId?: string };

// The `data` of successful replies, by request.
export const JoinResult = Type.Object({
  room: Room,
  messages: Type.Array(ChatMessage),
  /**
   * Only on a join that gave `since`. false: `messages` are exactly those after `since`. true: they are the latest,
   * as an ordinary join has them, and whatever the client held of the room is to be replaced (too much was
   * missed, or the room is another incarnation than the one `epoch` named).
   */
  reset: Type.Optional(Type.Boolean()),
  /** Who is in the room now (any socket on any gateway), each once, by id: at most MEMBERS_PAGE_MAX. */
  members: Type.Array(UserRef),
  /** How many users are in the room now; more than `members` holds: page the rest with `members`. */
  memberCount: Type.Integer({ minimum: 0 }),
});
export type JoinResult = Static<typeof JoinResult>;
/** A page of a room's members (the `members` request): ids after the one asked, in order; a short page is the last. */
export const MembersResult = Type.Object({
  room: RoomId,
  members: Type.Array(UserRef),
  memberCount: Type.Integer({ minimum: 0 }),
});
export type MembersResult = Static<typeof MembersResult>;
export const HistoryResult = Type.Object({ room: RoomId, messages: Type.Array(ChatMessage) });
export type HistoryResult = Static<typeof HistoryResult>;
export const PingResult = Type.Object({ time: DateTime });
export type PingResult = Static<typeof PingResult>;

export const ReplyOk = Type.Object({
  type: Type.Literal('reply'),
  ref: Ref,
  ok: Type.Literal(true),
  data: Type.Unknown(),
});
/** A successful reply; `T` is the `data` of the request it answers (JoinResult, HistoryResult, ChatMessage, …). */
export type ReplyOk<T = unknown> = Omit<Static<typeof ReplyOk>, 'data'> & { data: T };
export const ReplyError = Type.Object({
  type: Type.Literal('reply'),
  /** null when the frame was too broken to read its ref. */
  ref: Type.Union([Ref, Type.Null()]),
  ok: Type.Literal(false),
  error: ErrorBody,
});
export type ReplyError = Static<typeof ReplyError>;
export const ReplyFrame = Type.Union([ReplyOk, ReplyError]);
export type ReplyFrame = ReplyOk | ReplyError;

export const MessageEvent = Type.Object({ type: Type.Literal('message'), room: RoomId, message: ChatMessage });
export type MessageEvent = Static<typeof MessageEvent>;
/**
 * Join/leave notices name one or more users, in the order they came (see PRESENCE_WINDOW_MS): a crowd that
 * arrives at once is one event per room, not one per member per member.
 */
export const JoinedEvent = Type.Object({
  type: Type.Literal('joined'),
  room: RoomId,
  users: Type.Array(UserRef, { minItems: 1 }),
});
export type JoinedEvent = Static<typeof JoinedEvent>;
export const LeftEvent = Type.Object({
  type: Type.Literal('left'),
  room: RoomId,
  users: Type.Array(UserRef, { minItems: 1 }),
});
export type LeftEvent = Static<typeof LeftEvent>;
/**
 * Another user is typing in the room (from any of their sockets, on any gateway), or with `stop` no longer is.
 * Never stored; a typing state not renewed within TYPING_EXPIRY_MS, or followed by their message, has ended.
 */
export const TypingEvent = Type.Object({
  type: Type.Literal('typing'),
  room: RoomId,
  user: UserRef,
  stop: Type.Optional(Type.Literal(true)),
});
export type TypingEvent = Static<typeof TypingEvent>;
/** A message changed after it was sent: `message` is the whole message as it is now. */
export const EditedEvent = Type.Object({ type: Type.Literal('edited'), room: RoomId, message: ChatMessage });
export type EditedEvent = Static<typeof EditedEvent>;
/** A message was deleted: `message` keeps its id and seq, with empty text and `deletedAt`. */
export const DeletedEvent = Type.Object({ type: Type.Literal('deleted'), room: RoomId, message: ChatMessage });
export type DeletedEvent = Static<typeof DeletedEvent>;
/**
 * To one socket: the server took it out of a room it may no longer be in. `reason` is ROOM_ACCESS_DENIED (the
 * user lost staff, or the room became staff-only) or ROOM_INVALID (the room was deleted, or re-created).
 */
export const RemovedEvent = Type.Object({
  type: Type.Literal('removed'),
  room: RoomId,
  reason: Type.Union([Type.Literal('ROOM_ACCESS_DENIED'), Type.Literal('ROOM_INVALID')]),
});
export type RemovedEvent = Static<typeof RemovedEvent>;

export const RoomsChangeKind = Type.Union([Type.Literal('created'), Type.Literal('updated'), Type.Literal('deleted')]);
/** To every socket: the room list changed. A created or updated room carries all of itself, a deleted one its id and epoch. */
export const RoomsChangedFrame = Type.Union([
  Type.Object({
    type: Type.Literal('rooms-changed'),
    kind: Type.Union([Type.Literal('created'), Type.Literal('updated')]),
    room: Room,
  }),
  Type.Object({
    type: Type.Literal('rooms-changed'),
    kind: Type.Literal('deleted'),
    /** `epoch`: the incarnation that ended. */
    room: Type.Object({ id: RoomId, epoch: RoomEpoch }),
  }),
]);
export type RoomsChangedFrame = Static<typeof RoomsChangedFrame>;

export const RoomEvent = Type.Union([MessageEvent, JoinedEvent, LeftEvent, EditedEvent, DeletedEvent, TypingEvent]);
export type RoomEvent = Static<typeof RoomEvent>;
export const ServerFrame = Type.Union([ReplyOk, ReplyError, RoomEvent, RoomsChangedFrame, RemovedEvent]);
export type ServerFrame = ReplyFrame | RoomEvent | RoomsChangedFrame | RemovedEvent;
export type ServerFrameType = ServerFrame['type'];

/** Every server frame type, at run time (docs/protocol.md is tested against it); `satisfies` keeps it whole. */
export const serverFrameTypes = Object.keys({
  reply: true,
  message: true,
  joined: true,
  left: true,
  edited: true,
  deleted: true,
  removed: true,
  'rooms-changed': true,
  typing: true,
} satisfies Record<ServerFrameType, true>) as ServerFrameType[];
