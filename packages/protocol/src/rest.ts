/** Bodies of the REST APIs (auth and rooms), shared by the services, the gateway and the web client. */
import { type Static, Type } from '@sinclair/typebox';
import { MAX_ROOM_TITLE_LENGTH, MIN_PASSWORD_LENGTH } from './limits.js';
import { PublicUser } from './models.js';

export const Username = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[A-Za-z0-9_.@+-]+$',
  description: 'letters, digits and _ . @ + - (as Django allows); unique regardless of case',
});
export const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 });

export const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 200 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;
export const LoginResponse = Type.Object({ token: Type.String(), user: PublicUser });
export type LoginResponse = Static<typeof LoginResponse>;

export const CreateUserBody = Type.Object(
  {
    username: Username,
    password: Password,
    isStaff: Type.Optional(Type.Boolean()),
    isAdmin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  {
    password: Type.Optional(Password),
    isStaff: Type.Optional(Type.Boolean()),
    isAdmin: Type.Optional(Type.Boolean()),
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

const Title = Type.String({ minLength: 1, maxLength: MAX_ROOM_TITLE_LENGTH, pattern: '\\S' });
export const CreateRoomBody = Type.Object(
  { title: Title, staffOnly: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type CreateRoomBody = Static<typeof CreateRoomBody>;
export const UpdateRoomBody = Type.Object(
  { title: Type.Optional(Title), staffOnly: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateRoomBody = Static<typeof UpdateRoomBody>;

/**
 * `/api/rooms/:id`. Any string up to a bound: a malformed id is simply a room that does not exist (404
 * ROOM_INVALID), as over NATS, rather than a 400 that would tell "malformed" from "unknown".
 */
export const RoomParams = Type.Object({ id: Type.String({ maxLength: 200 }) });
export type RoomParams = Static<typeof RoomParams>;

export const HistoryQuery = Type.Object({
  before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
});
export type HistoryQuery = Static<typeof HistoryQuery>;

/** Claims of the signed session token. Flags in it are hints for the UI; services ask auth for the truth. */
export interface TokenClaims {
  sub: string;
  username: string;
  isStaff: boolean;
  isAdmin: boolean;
}

export const SESSION_COOKIE = 'chat_session';
