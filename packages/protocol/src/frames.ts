/**
 * The WebSocket protocol: JSON text frames. docs/protocol.md is the prose version of this file.
 * Client frames are validated field by field; unknown fields are refused so typos fail loudly.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { MAX_FRAME_BYTES, MAX_HISTORY_PAGE, MAX_REF_LENGTH } from './limits.js';
import { RoomEpoch, RoomId, SinceSeq, Uuid } from './models.js';

const Ref = Type.String({ minLength: 1, maxLength: MAX_REF_LENGTH });
const strict = { additionalProperties: false } as const;

/** `since` and `epoch`: a rejoin's position in the room (ResumePosition); the reply then fills in after it. */
export const JoinFrame = Type.Object(
  {
    type: Type.Literal('join'),
    room: RoomId,
    since: Type.Optional(SinceSeq),
    epoch: Type.Optional(RoomEpoch),
    ref: Ref,
  },
  strict,
);
export const LeaveFrame = Type.Object({ type: Type.Literal('leave'), room: RoomId, ref: Ref }, strict);
/**
 * `id`: the message's id, chosen by the client (a UUID) so that sending again after a lost answer stores nothing
 * twice: a repeat is answered with the message stored under it.
 */
export const SendFrame = Type.Object(
  {
    type: Type.Literal('send'),
    room: RoomId,
    // The length limit is checked after trimming (MESSAGE_TOO_LONG), so the schema bounds only the frame.
    text: Type.String({ maxLength: MAX_FRAME_BYTES }),
    id: Type.Optional(Uuid),
    ref: Ref,
  },
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
/** The next page of a joined room's members: those whose id sorts after `after` (the last one the client has). */
export const MembersFrame = Type.Object(
  {
    type: Type.Literal('members'),
    room: RoomId,
    after: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    ref: Ref,
  },
  strict,
);
/** The user is typing in a joined room (renewed while they type), or with `stop` no longer is. */
export const TypingFrame = Type.Object(
  { type: Type.Literal('typing'), room: RoomId, stop: Type.Optional(Type.Boolean()), ref: Ref },
  strict,
);

export type JoinFrame = Static<typeof JoinFrame>;
export type LeaveFrame = Static<typeof LeaveFrame>;
export type SendFrame = Static<typeof SendFrame>;
export type HistoryFrame = Static<typeof HistoryFrame>;
export type PingFrame = Static<typeof PingFrame>;
export type EditFrame = Static<typeof EditFrame>;
export type DeleteFrame = Static<typeof DeleteFrame>;
export type MembersFrame = Static<typeof MembersFrame>;
export type TypingFrame = Static<typeof TypingFrame>;
export type ClientFrame =
  | JoinFrame
  | LeaveFrame
  | SendFrame
  | HistoryFrame
  | EditFrame
  | DeleteFrame
  | PingFrame
  | MembersFrame
  | TypingFrame;
export type ClientFrameType = ClientFrame['type'];

export const clientFrameSchemas: Record<ClientFrameType, TSchema> = {
  join: JoinFrame,
  leave: LeaveFrame,
  send: SendFrame,
  history: HistoryFrame,
  edit: EditFrame,
  delete: DeleteFrame,
  ping: PingFrame,
  members: MembersFrame,
  typing: TypingFrame,
};

/** Close codes the gateway uses besides the standard ones. */
export const CloseCode = {
  /** 1008 policy violation: the user's session ended (logout, disabled, deleted). */
  POLICY: 1008,
  /** 1012 service restart: reconnect, ideally with backoff. */
  RESTART: 1012,
} as const;
