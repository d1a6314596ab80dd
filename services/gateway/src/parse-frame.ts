/**
 * Client frame parsing: text in, a typed ClientFrame out, or a ChatError (BAD_REQUEST) carrying whatever
 * `ref` could be recovered so the client can match the error to its request.
 */
import {
  ChatError,
  type ClientFrame,
  type ClientFrameType,
  clientFrameSchemas,
  compile,
  ErrorCode,
  isValidRoomId,
  MAX_REF_LENGTH,
  type Validator,
} from '@chat/protocol';
import type { TSchema } from '@sinclair/typebox';

const validators = Object.fromEntries(
  Object.entries(clientFrameSchemas).map(([type, schema]) => [type, compile(schema)]),
) as Record<ClientFrameType, Validator<TSchema>>;

export class FrameError extends ChatError {
  constructor(
    message: string,
    readonly ref: string | null,
    code: ErrorCode = ErrorCode.BAD_REQUEST,
  ) {
    super(code, message);
  }
}

export function parseClientFrame(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FrameError('the frame is not valid JSON', null);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FrameError('a frame is a JSON object', null);
  }
  const record = value as Record<string, unknown>;
  const ref = typeof record.ref === 'string' && record.ref.length <= MAX_REF_LENGTH ? record.ref : null;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(validators, type)) {
    throw new FrameError(`unknown frame type ${JSON.stringify(type)?.slice(0, 40) ?? 'undefined'}`, ref);
  }
  if (type !== 'ping' && !isValidRoomId(record.room)) {
    throw new FrameError('room: not a valid room id (a-z, 0-9, - and _, at most 64)', ref, ErrorCode.ROOM_INVALID);
  }
  const validator = validators[type as ClientFrameType];
  try {
    return validator.assert(value) as ClientFrame;
  } catch (err) {
    throw new FrameError(err instanceof Error ? err.message : 'invalid frame', ref);
  }
}
