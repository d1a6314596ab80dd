/**
 * Just enough of the Postgres wire protocol (v3) to cut a client's byte stream into messages and to read the
 * few messages the session scheduler cares about. Everything else passes through to PGlite untouched.
 */

export const PROTOCOL_V3 = 196_608;
export const SSL_REQUEST = 80_877_103;
export const GSS_ENC_REQUEST = 80_877_104;
export const CANCEL_REQUEST = 80_877_102;

/** The messages whose meaning the scheduler tracks; the rest it forwards without looking. */
export const MessageType = {
  parse: 0x50, // 'P'
  bind: 0x42, // 'B'
  close: 0x43, // 'C'
  describe: 0x44, // 'D'
  execute: 0x45, // 'E'
  flush: 0x48, // 'H'
  query: 0x51, // 'Q'
  sync: 0x53, // 'S'
  terminate: 0x58, // 'X'
} as const;

export type StartupPacket =
  | { kind: 'startup'; message: Uint8Array }
  | { kind: 'ssl' | 'gss' }
  | { kind: 'cancel' }
  | { kind: 'unsupported'; code: number };

/** The first packet of a connection: a length, a code, then (for a startup) key/value parameters. */
export function readStartupPacket(buffer: Buffer): { packet: StartupPacket; size: number } | undefined {
  if (buffer.length < 8) return undefined;
  const size = buffer.readInt32BE(0);
  if (buffer.length < size) return undefined;
  const code = buffer.readInt32BE(4);
  if (code === SSL_REQUEST) return { packet: { kind: 'ssl' }, size };
  if (code === GSS_ENC_REQUEST) return { packet: { kind: 'gss' }, size };
  if (code === CANCEL_REQUEST) return { packet: { kind: 'cancel' }, size };
  if (code === PROTOCOL_V3) return { packet: { kind: 'startup', message: copy(buffer, 0, size) }, size };
  return { packet: { kind: 'unsupported', code }, size };
}

/** One typed message (a type byte, then a length that counts itself), or undefined until it is all here. */
export function readMessage(buffer: Buffer): { message: Uint8Array; size: number } | undefined {
  if (buffer.length < 5) return undefined;
  const size = 1 + buffer.readInt32BE(1);
  if (size < 5) throw new Error(`malformed message: length ${size - 1}`);
  if (buffer.length < size) return undefined;
  return { message: copy(buffer, 0, size), size };
}

/** The statement name of a Parse message ('' for the unnamed statement). */
export function parsedStatementName(message: Uint8Array): string {
  return cString(message, 5);
}

/** The statement a Close message closes, or undefined when it closes a portal. */
export function closedStatementName(message: Uint8Array): string | undefined {
  return message[5] === 0x53 /* 'S' */ ? cString(message, 6) : undefined;
}

export const SYNC = Uint8Array.of(MessageType.sync, 0, 0, 0, 4);

/** A simple-protocol Query message. */
export function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message[0] = MessageType.query;
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return new Uint8Array(message.buffer, message.byteOffset, message.length);
}

/** An ErrorResponse, for refusing a connection before it reaches PGlite. */
export function errorResponse(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, 'utf8');
  const message = Buffer.alloc(5 + fields.length);
  message[0] = 0x45; // 'E'
  message.writeInt32BE(4 + fields.length, 1);
  fields.copy(message, 5);
  return message;
}

function cString(message: Uint8Array, offset: number): string {
  const end = message.indexOf(0, offset);
  return Buffer.from(message.buffer, message.byteOffset + offset, (end < 0 ? message.length : end) - offset).toString(
    'utf8',
  );
}

// Messages outlive the read buffer they came in, which is reused: each gets its own bytes.
function copy(buffer: Buffer, start: number, end: number): Uint8Array {
  return new Uint8Array(buffer.subarray(start, end));
}
