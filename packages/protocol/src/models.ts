/** The shapes of users, rooms and messages as every API shows them. */
import { type Static, Type } from '@sinclair/typebox';
import { MAX_ROOM_TITLE_LENGTH } from './limits.js';
import { ROOM_ID_PATTERN } from './subjects.js';

export const RoomId = Type.String({ pattern: ROOM_ID_PATTERN, description: 'room id, a safe NATS subject token' });

/** RFC 3339 date-time, as the servers write it (toISOString). A pattern, not `format: 'date-time'`: TypeBox
 * checks formats only through a process-wide registry, which importing the protocol would have to fill. */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
export const DateTime = Type.String({ pattern: DATE_TIME_PATTERN, description: 'RFC 3339 date-time' });

/** A UUID as crypto.randomUUID() and Postgres write it (lower case): message and user ids. */
export const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const Uuid = Type.String({ pattern: UUID_PATTERN });

export const UserRef = Type.Object({ id: Type.String(), username: Type.String() });
export type UserRef = Static<typeof UserRef>;

export const PublicUser = Type.Object({
  id: Type.String(),
  username: Type.String(),
  isStaff: Type.Boolean(),
  isAdmin: Type.Boolean(),
});
export type PublicUser = Static<typeof PublicUser>;

/** What the auth service tells other services about a user: the flags as they are now. */
export const UserFlags = Type.Composite([PublicUser, Type.Object({ disabled: Type.Boolean() })]);
export type UserFlags = Static<typeof UserFlags>;

export const AdminUserView = Type.Composite([UserFlags, Type.Object({ createdAt: DateTime })]);
export type AdminUserView = Static<typeof AdminUserView>;

/**
 * A room's incarnation: a number drawn when the room is created, so a room deleted and created again under the
 * same id has a new one. Seqs count within one incarnation: a position in a room is its epoch and a seq.
 */
export const RoomEpoch = Type.Integer({
  minimum: 1,
  maximum: Number.MAX_SAFE_INTEGER,
  description: "the room's incarnation: new when a room is deleted and created again under the same id",
});

export const Room = Type.Object({
  id: RoomId,
  title: Type.String({ minLength: 1, maxLength: MAX_ROOM_TITLE_LENGTH }),
  staffOnly: Type.Boolean(),
  epoch: RoomEpoch,
});
export type Room = Static<typeof Room>;

/** The last seq a client holds of a room (0: none yet). */
export const SinceSeq = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'the last seq held of the room (0: none)',
});

/**
 * Where a client's copy of a room ends, to resume from: the last seq it holds and the incarnation (epoch) that
 * seq belongs to. A seq of another incarnation, or with no epoch, says nothing about this one.
 */
export const ResumePosition = Type.Object({ since: SinceSeq, epoch: Type.Optional(RoomEpoch) });
export type ResumePosition = Static<typeof ResumePosition>;

export const ChatMessage = Type.Object({
  id: Type.String(),
  seq: Type.Integer({ minimum: 1, description: 'per room, strictly increasing, no gaps' }),
  author: UserRef,
  text: Type.String(),
  createdAt: DateTime,
  /** Set when the author changed the text. */
  editedAt: Type.Optional(DateTime),
  /** Set when the message was deleted; its text is then empty. The seq stays taken, so history has no hole. */
  deletedAt: Type.Optional(DateTime),
});
export type ChatMessage = Static<typeof ChatMessage>;
