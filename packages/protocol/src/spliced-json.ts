/**
 * The frames the servers build by splicing JSON text rather than serializing an object: each splices in a
 * part that is serialized already (a stored message, kept history, a reply's data as the rooms service sent
 * it), so that the hot paths never parse and serialize it again. They live here and nowhere else, next to
 * the schemas (server-frames.ts) that spliced-json.test.ts checks each one's output against. Key order
 * follows the schemas, so a spliced frame reads like a serialized one.
 */
import type { PresenceKind } from './presence.js';

const encoder = new TextEncoder();
const CLOSE_BRACE = 0x7d;

/** A message, edited or deleted event: `{"type","room","message"}` around the message's JSON. */
export function messageEventJson(type: 'message' | 'edited' | 'deleted', room: string, messageJson: string): string {
  return `{"type":"${type}","room":${JSON.stringify(room)},"message":${messageJson}}`;
}

/** A joined or left notice naming users already serialized (each a UserRef's JSON). */
export function presenceEventJson(kind: PresenceKind, roomJson: string, usersJson: readonly string[]): string {
  return `{"type":"${kind}","room":${roomJson},"users":[${usersJson.join(',')}]}`;
}

/** A join's data (JoinResult): the room's JSON, its messages' JSON array and, for a join with `since`, `reset`. */
export function joinResultJson(roomJson: string, messagesJson: string, reset?: boolean): string {
  const tail = reset === undefined ? '' : `,"reset":${reset}`;
  return `{"room":${roomJson},"messages":${messagesJson}${tail}}`;
}

/**
 * A join's data with the room's members spliced in: `answer` is a JoinResult's JSON without them (as kept
 * per room state, shared by every joiner), `membersJson` their UserRefs' JSON array.
 */
export function joinResultWithMembers(
  answer: string | Uint8Array,
  membersJson: string,
  memberCount: number,
): Uint8Array {
  const bytes = typeof answer === 'string' ? encoder.encode(answer) : answer;
  const tail = encoder.encode(`,"members":${membersJson},"memberCount":${memberCount}}`);
  const data = new Uint8Array(bytes.length - 1 + tail.length);
  data.set(bytes.subarray(0, bytes.length - 1));
  data.set(tail, bytes.length - 1);
  return data;
}

/** A page of a room's members (MembersResult), their UserRefs' JSON array as the database built it. */
export function membersResultJson(room: string, membersJson: string, memberCount: number): string {
  return `{"room":${JSON.stringify(room)},"members":${membersJson},"memberCount":${memberCount}}`;
}

/** A typing event, or its stop form, for the user already serialized (a UserRef's JSON). */
export function typingEventJson(room: string, userJson: string, stop: boolean): string {
  return `{"type":"typing","room":${JSON.stringify(room)},"user":${userJson}${stop ? ',"stop":true' : ''}}`;
}

/**
 * A successful reply around `data`, which is JSON bytes already (as a service answered). `alloc` makes the frame's
 * bytes: the gateway passes Node's Buffer.allocUnsafe, which takes small ones from a shared pool, where a new
 * Uint8Array (or TextEncoder.encode) allocates a backing store of its own; once per send, that was about 1 µs.
 */
export function replyOkBytes(
  ref: string,
  data: Uint8Array,
  alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size),
): Uint8Array {
  const head = `{"type":"reply","ref":${JSON.stringify(ref)},"ok":true,"data":`;
  // UTF-8 takes at most 3 bytes per UTF-16 unit; the frame is what was written.
  const frame = alloc(head.length * 3 + data.length + 1);
  const { written } = encoder.encodeInto(head, frame);
  frame.set(data, written);
  const end = written + data.length;
  frame[end] = CLOSE_BRACE;
  return frame.subarray(0, end + 1);
}
