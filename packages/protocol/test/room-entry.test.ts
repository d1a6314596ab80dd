import { describe, expect, it } from 'vitest';
import { ErrorCode, roomEntryRefusal, roomRefusalError } from '../src/index.js';

const staff = { isStaff: true };
const member = { isStaff: false };

describe('who may be in a room', () => {
  it('refuses a room that does not exist, or is another incarnation than the one joined', () => {
    expect(roomEntryRefusal(undefined, staff)).toBe(ErrorCode.ROOM_INVALID);
    expect(roomEntryRefusal({ staffOnly: false, epoch: 8 }, staff, 7)).toBe(ErrorCode.ROOM_INVALID);
    expect(roomEntryRefusal({ staffOnly: false, epoch: 7 }, member, 7)).toBeUndefined();
  });

  it('lets only staff into a staff-only room, judged by the flags given', () => {
    expect(roomEntryRefusal({ staffOnly: true }, member)).toBe(ErrorCode.ROOM_ACCESS_DENIED);
    expect(roomEntryRefusal({ staffOnly: true }, staff)).toBeUndefined();
    expect(roomEntryRefusal({ staffOnly: false }, member)).toBeUndefined();
  });

  it('words each refusal one way, whoever gives it', () => {
    expect(roomRefusalError(ErrorCode.ROOM_INVALID).toJSON()).toEqual({
      code: 'ROOM_INVALID',
      message: 'no such room',
    });
    expect(roomRefusalError(ErrorCode.ROOM_ACCESS_DENIED).message).toBe('this room is for staff only');
  });
});
