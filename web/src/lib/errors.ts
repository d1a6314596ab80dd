/** The client's one error type, and the words a user sees for each code. */
import type { ErrorBody, ErrorCode } from '@chat/protocol';

/** Server codes plus the failures only the client can observe. */
export type ClientErrorCode = ErrorCode | 'DISCONNECTED' | 'TIMEOUT' | 'NETWORK';

export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly code: ClientErrorCode,
    message: string,
    /** The HTTP status for REST failures; absent on the socket. */
    readonly status?: number,
    /** The server's id of the request, when it answered: what a user quotes to report a fault. */
    readonly requestId?: string,
  ) {
    super(message);
  }

  static from(body: ErrorBody, status?: number): RequestError {
    return new RequestError(body.code, body.message, status, body.requestId);
  }
}

const friendly: Partial<Record<ClientErrorCode, string>> = {
  ROOM_INVALID: 'This room does not exist (it may have been deleted).',
  ROOM_ACCESS_DENIED: 'You do not have access to this room.',
  NOT_IN_ROOM: 'You are not in this room any more.',
  MESSAGE_TOO_LONG: 'That message is too long.',
  RATE_LIMITED: 'You are sending too fast; wait a moment and try again.',
  UNAVAILABLE: 'The chat service is unavailable right now; try again shortly.',
  DISCONNECTED: 'Not connected; waiting to reconnect.',
  TIMEOUT: 'The server did not answer in time.',
  NETWORK: 'Could not reach the server.',
  UNAUTHORIZED: 'Your session has ended; please sign in again.',
  FORBIDDEN: 'You are not allowed to do that.',
  USER_DISABLED: 'This account is disabled.',
  INTERNAL: 'Something went wrong on the server.',
};

/** The server's own faults: what a user may report, so the sentence names the request (docs/operations.md). */
const reportable: ReadonlySet<ClientErrorCode> = new Set<ClientErrorCode>(['INTERNAL', 'UNAVAILABLE']);

/** A sentence for the UI. BAD_REQUEST, CONFLICT and NOT_FOUND keep the server's message: it says what to fix. */
export function describeError(error: unknown): string {
  if (!(error instanceof RequestError)) return 'Something went wrong.';
  const sentence = friendly[error.code] ?? error.message;
  return error.requestId && reportable.has(error.code) ? `${sentence} (Request ${error.requestId}.)` : sentence;
}

/**
 * Failures that may pass by themselves, so "Try again" is worth offering: the service or the connection was
 * away, or the server faulted. Everything else (no access, no such room) is a refusal that asking again will not
 * change.
 */
const transient: ReadonlySet<ClientErrorCode> = new Set<ClientErrorCode>([
  'UNAVAILABLE',
  'TIMEOUT',
  'NETWORK',
  'DISCONNECTED',
  'RATE_LIMITED',
  'INTERNAL',
]);

/** Anything that is not a RequestError broke in the client, and is not a refusal either. */
export function isTransient(error: unknown): boolean {
  const code = errorCode(error);
  return code === null || transient.has(code);
}

export function errorCode(error: unknown): ClientErrorCode | null {
  return error instanceof RequestError ? error.code : null;
}
