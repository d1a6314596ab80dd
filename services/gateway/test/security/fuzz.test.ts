/**
 * Property-based fuzzing of the frame parser: whatever text a client sends, parseClientFrame either returns a
 * frame its schema accepts or throws a ChatError the session can answer (BAD_REQUEST or ROOM_INVALID), quickly.
 */
import {
  ChatError,
  type ClientFrameType,
  clientFrameSchemas,
  compile,
  isValidRoomId,
  MAX_FRAME_BYTES,
} from '@chat/protocol';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../src/parse-frame.js';

const validators = Object.fromEntries(
  Object.entries(clientFrameSchemas).map(([type, schema]) => [type, compile(schema)]),
) as Record<ClientFrameType, ReturnType<typeof compile>>;
const allowedCodes = new Set(['BAD_REQUEST', 'ROOM_INVALID']);
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

let tried = 0;
let slowest = 0;

/** The property itself: one outcome of two, never a third, never slow. */
function parsesOrRefuses(text: string): void {
  tried++;
  const started = performance.now();
  let outcome: unknown;
  try {
    outcome = parseClientFrame(text);
  } catch (err) {
    outcome = err;
  }
  const took = performance.now() - started;
  slowest = Math.max(slowest, took);
  if (outcome instanceof Error) {
    if (!(outcome instanceof ChatError) || !allowedCodes.has(outcome.code)) {
      throw new Error(`unexpected ${outcome.name} (${(outcome as ChatError).code}): ${outcome.message}`);
    }
  } else {
    const frame = outcome as { type: ClientFrameType; room?: unknown };
    expect(Object.hasOwn(validators, frame.type)).toBe(true);
    expect(validators[frame.type].check(frame)).toBe(true);
    if (frame.type !== 'ping') expect(isValidRoomId(frame.room)).toBe(true);
  }
  // A parse that scans input more than linearly would show here long before it shows in production.
  expect(took).toBeLessThan(250);
}

const roomId = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
const nearlyRoomId = fc.oneof(
  roomId,
  fc.constantFrom(
    '>',
    '*',
    'a.b',
    'room.>',
    'a b',
    ' lobby',
    'lobby\n',
    'LOBBY',
    'lóbby',
    '',
    '-x',
    '_x',
    'a'.repeat(65),
  ),
  fc.string({ maxLength: 70 }),
);
const ref = fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.string({ maxLength: 80 }), fc.integer());
const validFrame = fc.oneof(
  fc.record({ type: fc.constant('join'), room: roomId, ref }),
  fc.record({ type: fc.constant('leave'), room: roomId, ref }),
  fc.record({ type: fc.constant('send'), room: roomId, text: fc.string({ maxLength: 200 }), ref }),
  fc.record(
    {
      type: fc.constant('history'),
      room: roomId,
      before: fc.oneof(fc.integer({ min: 1 }), fc.double()),
      limit: fc.oneof(fc.integer({ min: -5, max: 150 }), fc.double()),
      ref,
    },
    { requiredKeys: ['type', 'room', 'ref'] },
  ),
  fc.record({ type: fc.constant('ping'), ref }),
);

/** A valid-looking frame with one field changed, dropped or added, or a hostile key mixed in. */
const mutatedFrame = fc
  .tuple(
    validFrame,
    fc.constantFrom('type', 'room', 'ref', 'text', 'before', 'limit', '__proto__', 'constructor', 'prototype', 'x'),
    fc.oneof(fc.jsonValue(), nearlyRoomId, fc.constant(undefined)),
  )
  .map(([frame, key, value]) => {
    const copy: Record<string, unknown> = { ...frame };
    if (value === undefined) delete copy[key];
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
    return JSON.stringify(copy);
  });

/** Text-level damage to a valid frame: truncation, a byte inserted or replaced, a slice repeated. */
const damagedText = fc
  .tuple(
    validFrame.map((f) => JSON.stringify(f)),
    fc.nat(),
    fc.string({ minLength: 1, maxLength: 3 }),
    fc.nat(4),
  )
  .map(([text, at, insert, how]) => {
    const i = at % (text.length + 1);
    switch (how) {
      case 0:
        return text.slice(0, i);
      case 1:
        return text.slice(0, i) + insert + text.slice(i);
      case 2:
        return text.slice(0, i) + insert + text.slice(i + insert.length);
      case 3:
        return text.slice(0, i) + text.slice(i, i + 20).repeat(50) + text.slice(i);
      default:
        return text.slice(i) + text.slice(0, i);
    }
  });

/** Deep nesting anywhere in a frame, kept within the frame size limit. */
const deeplyNested = fc
  .tuple(
    fc.integer({ min: 100, max: Math.floor(MAX_FRAME_BYTES / 8) }),
    fc.constantFrom('[', '{"a":'),
    fc.constantFrom('top', 'room', 'ref', 'extra', 'type'),
  )
  .map(([depth, open, where]) => {
    const close = open === '[' ? ']' : '}';
    const nested = open.repeat(depth) + close.repeat(depth);
    if (where === 'top') return nested;
    const frame: Record<string, string> = { type: '"join"', room: '"lobby"', ref: '"r"' };
    frame[where] = nested;
    return `{${Object.entries(frame)
      .map(([k, v]) => `"${k}":${v}`)
      .join(',')}}`;
  });

const runs = { numRuns: 2000, interruptAfterTimeLimit: 60_000 };

describe('parseClientFrame under fuzzing', () => {
  afterAll(() => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    console.log(`[reliability] hostile inputs: ${tried} fuzzed frames (slowest parse ${slowest.toFixed(1)} ms)`);
  });

  it('answers any JSON value with a frame or a client error', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => parsesOrRefuses(JSON.stringify(v) ?? 'null')),
      runs,
    );
  });

  it('answers any string, including invalid JSON, control characters and lone surrogates', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 500 }), fc.string({ maxLength: 500 })),
        parsesOrRefuses,
      ),
      runs,
    );
  });

  it('answers valid frames with the frame, and mutated ones with a client error', () => {
    fc.assert(
      fc.property(validFrame, (frame) => parsesOrRefuses(JSON.stringify(frame))),
      runs,
    );
    fc.assert(fc.property(mutatedFrame, parsesOrRefuses), runs);
  });

  it('answers damaged frame text', () => {
    fc.assert(fc.property(damagedText, parsesOrRefuses), runs);
  });

  it('answers deep nesting within the frame size limit', () => {
    fc.assert(fc.property(deeplyNested, parsesOrRefuses), { ...runs, numRuns: 300 });
  });

  it('answers objects with random keys, prototype keys among them, without polluting Object.prototype', () => {
    const key = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'type'),
    );
    const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom('ping', 'join', 'send', 'lobby'));
    const text = fc
      .array(fc.tuple(key, value), { maxLength: 8 })
      .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
    fc.assert(fc.property(text, parsesOrRefuses), runs);
    expect(({} as Record<string, unknown>).type).toBeUndefined();
  });

  it('accepts every well-formed frame (the property is not vacuous)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ type: fc.constant('ping'), ref: fc.string({ minLength: 1, maxLength: 64 }) }),
          fc.record({
            type: fc.constant('send'),
            room: roomId,
            text: fc.string({ maxLength: 100 }),
            ref: fc.string({ minLength: 1, maxLength: 64 }),
          }),
        ),
        (frame) => {
          tried++;
          expect(parseClientFrame(JSON.stringify(frame))).toEqual(frame);
        },
      ),
      runs,
    );
  });
});
