import { describe, expect, it } from 'vitest';
import { Kind, scan, scanned, sendFrame } from '../../src/generator/wire.js';

const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('reading server frames without parsing them', () => {
  it('reads the step and send time out of a message event as the gateway writes it', () => {
    const sent = JSON.parse(sendFrame('lobby', 7, 1760000000123.456)) as { text: string };
    const event = {
      type: 'message',
      room: 'lobby',
      message: { id: 'x', seq: 3, author: { id: 'u', username: 'ann' }, text: sent.text, createdAt: 'now' },
    };
    expect(scan(bytes(event))).toBe(Kind.Message);
    expect(scanned.step).toBe(7);
    expect(scanned.sentAt).toBeCloseTo(1760000000123.456, 3);
  });

  it('finds the tag past a tilde elsewhere in the event (a username with ~ in it)', () => {
    const sent = JSON.parse(sendFrame('lobby', 3, 99.5)) as { text: string };
    const event = {
      type: 'message',
      room: 'lobby',
      message: { id: 'x', seq: 1, author: { id: 'u', username: 'a~1~2~' }, text: sent.text, createdAt: 'now' },
    };
    expect(scan(bytes(event))).toBe(Kind.Message);
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
