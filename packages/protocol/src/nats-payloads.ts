/** Request and reply bodies of the services' NATS endpoints. */
import { type Static, Type } from '@sinclair/typebox';
import { HISTORY_ON_JOIN, MAX_FRAME_BYTES, MAX_HISTORY_PAGE } from './limits.js';
import { RoomId, UserRef } from './models.js';

export const UserGetRequest = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export type UserGetRequest = Static<typeof UserGetRequest>;

export const JoinRequest = Type.Object({
  room: RoomId,
  user: UserRef,
  /** How many recent messages to return; defaults to HISTORY_ON_JOIN. */
  limit: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_HISTORY_PAGE, default: HISTORY_ON_JOIN })),
});
export type JoinRequest = Static<typeof JoinRequest>;

export const LeaveRequest = Type.Object({ room: RoomId, user: UserRef });
export type LeaveRequest = Static<typeof LeaveRequest>;

export const SendRequest = Type.Object({
  room: RoomId,
  author: UserRef,
  text: Type.String({ maxLength: MAX_FRAME_BYTES }),
});
export type SendRequest = Static<typeof SendRequest>;

export const HistoryRequest = Type.Object({
  room: RoomId,
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_HISTORY_PAGE })),
});
export type HistoryRequest = Static<typeof HistoryRequest>;

export interface RoomsChangedEvent {
  kind: 'created' | 'updated' | 'deleted';
  room: { id: string; title?: string; staffOnly?: boolean };
}
export interface UserChangedEvent {
  id: string;
}
