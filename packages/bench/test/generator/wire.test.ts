import { describe, expect, it } from 'vitest';
import { Kind, scan, scanned, sendFrame } from '../../src/generator/wire.js';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

/** The message event the gateway sends for a load message sent at `sentAt` in `step`, by `username`. */
function loadEvent(step: number, sentAt: number, username: string): Buffer {
  const sent = JSON.parse(sendFrame('lobby', step, sentAt)) as { text: string };
  const author = { id: 'u', username };
  return bytes({
    type: 'message',
    room: 'lobby',
    message: { id: 'x', seq: 3, author, text: sent.text, createdAt: 'now' },
  });
}

describe('reading server frames without parsing them', () => {
  it('reads the step and send time out of a message event as the gateway writes it', () => {
    expect(scan(loadEvent(7, 1760000000123.456, 'ann'))).toBe(Kind.Message);
    expect(scanned.step).toBe(7);
    expect(scanned.sentAt).toBeCloseTo(1760000000123.456, 3);
  });

  it('finds the tag past a tilde elsewhere in the event (a username with ~ in it)', () => {
    expect(scan(loadEvent(3, 99.5, 'a~1~2~'))).toBe(Kind.Message);
    expect([scanned.step, scanned.sentAt]).toEqual([3, 99.5]);
    expect(scan(bytes({ type: 'message', room: 'a', message: { author: { username: '~~' }, text: 'x~' } }))).toBe(
      Kind.Other,
    );
  });

  it('reads the ref of a send reply and whether it succeeded', () => {
    const { ref } = JSON.parse(sendFrame('lobby', 12, 5.5)) as { ref: string };
    expect(scan(bytes({ type: 'reply', ref, ok: true, data: {} }))).toBe(Kind.SendOk);
    expect([scanned.step, scanned.sentAt]).toEqual([12, 5.5]);
    expect(scan(bytes({ type: 'reply', ref, ok: false, error: { code: 'RATE_LIMITED' } }))).toBe(Kind.SendFailed);
  });

  it('tells join replies, refless errors and other frames apart', () => {
    expect(scan(bytes({ type: 'reply', ref: 'j42.5', ok: true, data: { messages: [] } }))).toBe(Kind.JoinOk);
    expect(scanned.sentAt).toBe(42.5);
    expect(scan(bytes({ type: 'reply', ref: 'j1', ok: false, error: {} }))).toBe(Kind.JoinFailed);
    expect(scan(bytes({ type: 'reply', ref: null, ok: false, error: {} }))).toBe(Kind.Failed);
    expect(scan(bytes({ type: 'joined', room: 'a', users: [{ id: 'u', username: 'ann' }] }))).toBe(Kind.Other);
    expect(scan(bytes({ type: 'message', room: 'a', message: { text: 'hello' } }))).toBe(Kind.Other);
  });
});
