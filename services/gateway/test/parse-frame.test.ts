import { describe, expect, it } from 'vitest';
import { FrameError, parseClientFrame } from '../src/parse-frame.js';

describe('parseClientFrame', () => {
  it('returns a typed frame for each valid type', () => {
    expect(parseClientFrame('{"type":"join","room":"lobby","ref":"1"}')).toEqual({
      type: 'join',
      room: 'lobby',
      ref: '1',
    });
    expect(parseClientFrame('{"type":"history","room":"lobby","before":10,"limit":5,"ref":"2"}')).toMatchObject({
      before: 10,
      limit: 5,
    });
  });

  it('keeps the ref of an invalid frame when the ref itself is valid', () => {
    try {
      parseClientFrame('{"type":"send","room":"lobby","ref":"abc"}');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FrameError);
      expect((err as FrameError).ref).toBe('abc');
      expect((err as FrameError).code).toBe('BAD_REQUEST');
    }
  });

  it('drops a ref that is too long to echo', () => {
    try {
      parseClientFrame(JSON.stringify({ type: 'nope', ref: 'r'.repeat(65) }));
      expect.unreachable();
    } catch (err) {
      expect((err as FrameError).ref).toBeNull();
    }
  });
});
