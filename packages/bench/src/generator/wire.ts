/**
 * The generator's side of the wire protocol, written for speed: frames are built by concatenation and server
 * frames are read by scanning bytes at known places, never with JSON.parse. Every load message carries its
 * step and its scheduled send time in the text ("~<step>~<ms>~…"), and every send carries them in its ref
 * ("s<step>~<ms>"), so neither receivers nor senders keep any per-message state.
 *
 * Both servers write `type` first and a reply's `ref` second (JSON.stringify keeps insertion order).
 */

/** What a load message says besides its tag, so frames have a realistic size. */
const FILLER = 'the quick brown fox jumps over the lazy dog 0123456789';

export function sendFrame(room: string, step: number, sentAt: number): string {
  const t = sentAt.toFixed(3);
  return `{"type":"send","room":"${room}","text":"~${step}~${t}~ ${FILLER}","ref":"s${step}~${t}"}`;
}

export function joinFrame(room: string, sentAt: number): string {
  return `{"type":"join","room":"${room}","ref":"j${sentAt.toFixed(3)}"}`;
}

export const Kind = {
  Other: 0,
  /** A message event with a load tag: `scanned.step` and `scanned.sentAt` are set. */
  Message: 1,
  /** A successful reply to a send: `scanned.step` and `scanned.sentAt` are set. */
  SendOk: 2,
  SendFailed: 3,
  /** A successful reply to a join: `scanned.sentAt` is set. */
  JoinOk: 4,
  JoinFailed: 5,
  /** An error reply without a ref (the server could not read the frame). */
  Failed: 6,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** The fields of the last frame read; module state instead of an object per frame. */
export const scanned = { step: 0, sentAt: 0 };

const Q = 0x22; // "
const TILDE = 0x7e;
const TYPE_AT = '{"type":"'.length;
const REF_AT = '{"type":"reply","ref":"'.length;
const TEXT_MARK = Buffer.from('"text":"~');
const TEXT_MARK_LAST = TEXT_MARK.length - 1;

/**
 * Where `"text":"~` starts, or -1. Found by its last byte: a one-byte indexOf is a memchr, several times
 * cheaper than a multi-byte search (which was a fifth of a receiving worker's time); a `~` elsewhere (in a
 * username) is skipped.
 */
function textMarkAt(buf: Buffer, from: number): number {
  for (let tilde = buf.indexOf(TILDE, from + TEXT_MARK_LAST); tilde >= 0; tilde = buf.indexOf(TILDE, tilde + 1)) {
    const start = tilde - TEXT_MARK_LAST;
    let i = 0;
    while (i < TEXT_MARK_LAST && buf[start + i] === TEXT_MARK[i]) i++;
    if (i === TEXT_MARK_LAST) return start;
  }
  return -1;
}

export function scan(buf: Buffer): Kind {
  const type = buf[TYPE_AT];
  if (type === 0x6d /* m */) {
    const at = textMarkAt(buf, TYPE_AT);
    if (at < 0) return Kind.Other;
    const after = readInt(buf, at + TEXT_MARK.length, TILDE);
    if (after < 0) return Kind.Other;
    scanned.step = number;
    if (readDecimal(buf, after + 1, TILDE) < 0) return Kind.Other;
    scanned.sentAt = number;
    return Kind.Message;
  }
  if (type !== 0x72 /* r */) return Kind.Other;
  if (buf[REF_AT - 1] !== Q) return Kind.Failed; // "ref":null
  const tag = buf[REF_AT];
  let end: number;
  if (tag === 0x73 /* s */) {
    end = readInt(buf, REF_AT + 1, TILDE);
    if (end < 0) return Kind.Other;
    scanned.step = number;
    end = readDecimal(buf, end + 1, Q);
    if (end < 0) return Kind.Other;
    scanned.sentAt = number;
    return okAt(buf, end) ? Kind.SendOk : Kind.SendFailed;
  }
  if (tag === 0x6a /* j */) {
    end = readDecimal(buf, REF_AT + 1, Q);
    if (end < 0) return Kind.Other;
    scanned.sentAt = number;
    return okAt(buf, end) ? Kind.JoinOk : Kind.JoinFailed;
  }
  return Kind.Other;
}

/** `end` is the closing quote of the ref: `","ok":t…` follows. */
function okAt(buf: Buffer, end: number): boolean {
  return buf[end + 7] === 0x74; /* t */
}

let number = 0;

/** Reads digits up to `stop`; leaves the value in `number` and returns the index of `stop`, or -1. */
function readInt(buf: Buffer, from: number, stop: number): number {
  let value = 0;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === stop) {
      number = value;
      return i === from ? -1 : i;
    }
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
  }
  return -1;
}

/** Like readInt, with an optional fraction. */
function readDecimal(buf: Buffer, from: number, stop: number): number {
  let value = 0;
  let scale = 0;
  for (let i = from; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === stop) {
      number = scale > 0 ? value / scale : value;
      return i === from ? -1 : i;
    }
    if (c === 0x2e /* . */ && scale === 0) {
      scale = 1;
      continue;
    }
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + (c - 0x30);
    if (scale > 0) scale *= 10;
  }
  return -1;
}
