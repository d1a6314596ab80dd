/**
 * The one error vocabulary of the system. A code travels unchanged from whichever service raised it to the
 * client: it becomes an HTTP status in each REST API, `{ok:false, error}` in a WebSocket reply and a NATS
 * service error header on request/reply.
 */
import type { ErrorBody } from './server-frames.js';
export const ErrorCode = {
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  ROOM_INVALID: 'ROOM_INVALID',
  ROOM_ACCESS_DENIED: 'ROOM_ACCESS_DENIED',
  NOT_IN_ROOM: 'NOT_IN_ROOM',
  MESSAGE_TOO_LONG: 'MESSAGE_TOO_LONG',
  USER_DISABLED: 'USER_DISABLED',
  RATE_LIMITED: 'RATE_LIMITED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const httpStatusByCode: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ROOM_INVALID: 404,
  ROOM_ACCESS_DENIED: 403,
  NOT_IN_ROOM: 403,
  MESSAGE_TOO_LONG: 400,
  USER_DISABLED: 403,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(httpStatusByCode, value);
}

/** An expected failure with a code a client may act on. Anything else is an INTERNAL error. */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get statusCode(): number {
    return httpStatusByCode[this.code];
  }

  toJSON(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}
