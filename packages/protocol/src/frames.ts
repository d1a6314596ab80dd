/**
 * The WebSocket protocol: JSON text frames. docs/protocol.md is the prose version of this file.
 * Client frames are validated field by field; unknown fields are refused so typos fail loudly.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { ErrorBody } from './errors.js';
import { MAX_FRAME_BYTES, MAX_HISTORY_PAGE, MAX_REF_LENGTH } from './limits.js';
import { type ChatMessage, type Room, RoomId, type UserRef, Uuid } from './models.js';

const Ref = Type.String({ minLength: 1, maxLength: MAX_REF_LENGTH });
const strict = { additionalProperties: false } as const;

export const JoinFrame = Type.Object({ type: Type.Literal('join'), room: RoomId, ref: Ref }, strict);
export const LeaveFrame = Type.Object({ type: Type.Literal('leave'), room: RoomId, ref: Ref }, strict);
export const SendFrame = Type.Object(
  // The length limit is checked after trimming (MESSAGE_TOO_LONG), so the schema bounds only the frame.
  { type: Type.Literal('send'), room: RoomId, text: Type.String({ maxLength: MAX_FRAME_BYTES }), ref: Ref },
  strict,
);
export const HistoryFrame = Type.Object(
  {
    type: Type.Literal('history'),
    room: RoomId,
    before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE })),
    ref: Ref,
  },
  strict,
);
export const EditFrame = Type.Object(
  {
    type: Type.Literal('edit'),
    room: RoomId,
    id: Uuid,
    text: Type.String({ maxLength: MAX_FRAME_BYTES }),
    ref: Ref,
  },
  strict,
);
export const DeleteFrame = Type.Object({ type: Type.Literal('delete'), room: RoomId, id: Uuid, ref: Ref }, strict);
export const PingFrame = Type.Object({ type: Type.Literal('ping'), ref: Ref }, strict);

export type JoinFrame = Static<typeof JoinFrame>;
export type LeaveFrame = Static<typeof LeaveFrame>;
export type SendFrame = Static<typeof SendFrame>;
export type HistoryFrame = Static<typeof HistoryFrame>;
export type PingFrame = Static<typeof PingFrame>;
export type EditFrame = Static<typeof EditFrame>;
export type DeleteFrame = Static<typeof DeleteFrame>;
export type ClientFrame = JoinFrame | LeaveFrame | SendFrame | HistoryFrame | EditFrame | DeleteFrame | PingFrame;
export type ClientFrameType = ClientFrame['type'];

export const clientFrameSchemas: Record<ClientFrameType, TSchema> = {
  join: JoinFrame,
  leave: LeaveFrame,
  send: SendFrame,
  history: HistoryFrame,
  edit: EditFrame,
  delete: DeleteFrame,
  ping: PingFrame,
};

// Server → client.
export interface JoinResult {
  room: Room;
  messages: ChatMessage[];
}
export interface HistoryResult {
  room: string;
  messages: ChatMessage[];
}
export interface PingResult {
  time: string;
}
export interface ReplyOk<T = unknown> {
  type: 'reply';
  ref: string;
  ok: true;
  data: T;
}
export interface ReplyError {
  type: 'reply';
  ref: string | null;
  ok: false;
  error: ErrorBody;
}
export type ReplyFrame = ReplyOk | ReplyError;

export interface MessageEvent {
  type: 'message';
  room: string;
  message: ChatMessage;
}
/**
 * Join/leave notices name one or more users, in the order they came (see PRESENCE_WINDOW_MS): a crowd that
 * arrives at once is one event per room, not one per member per member.
 */
export interface JoinedEvent {
  type: 'joined';
  room: string;
  users: UserRef[];
}
export interface LeftEvent {
  type: 'left';
  room: string;
  users: UserRef[];
}
/** A message changed after it was sent: `message` is the whole message as it is now. */
export interface EditedEvent {
  type: 'edited';
  room: string;
  message: ChatMessage;
}
/** A message was deleted: `message` keeps its id and seq, with empty text and `deletedAt`. */
export interface DeletedEvent {
  type: 'deleted';
  room: string;
  message: ChatMessage;
}
/**
 * To one socket: the server took it out of a room it may no longer be in. `reason` is ROOM_ACCESS_DENIED (the
 * user lost staff, or the room became staff-only) or ROOM_INVALID (the room was deleted).
 */
export interface RemovedEvent {
  type: 'removed';
  room: string;
  reason: 'ROOM_ACCESS_DENIED' | 'ROOM_INVALID';
}

/** To every socket: the room list changed (an administrator created, changed or deleted a room). */
export interface RoomsChangedFrame {
  type: 'rooms-changed';
  kind: 'created' | 'updated' | 'deleted';
  room: { id: string; title?: string; staffOnly?: boolean };
}
export type RoomEvent = MessageEvent | JoinedEvent | LeftEvent | EditedEvent | DeletedEvent;
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
} satisfies Record<ServerFrameType, true>) as ServerFrameType[];

/** Close codes the gateway uses besides the standard ones. */
export const CloseCode = {
  /** 1008 policy violation: the user's session ended (logout, disabled, deleted). */
  POLICY: 1008,
  /** 1012 service restart: reconnect, ideally with backoff. */
  RESTART: 1012,
} as const;
