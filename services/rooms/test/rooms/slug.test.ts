import { isValidRoomId, MAX_ROOM_ID_LENGTH } from '@chat/protocol';
import { describe, expect, it } from 'vitest';
import { slugCandidate, slugify } from '../../src/rooms/slug.js';

describe('room ids from titles', () => {
  it('lowercases and joins words with dashes', () => {
    expect(slugify('General Chat')).toBe('general-chat');
    expect(slugify('  Off-Topic!!  & Memes ')).toBe('off-topic-memes');
    expect(slugify('Room 42')).toBe('room-42');
  });

  it('drops accents instead of the letters', () => {
    expect(slugify('Café Crème')).toBe('cafe-creme');
  });

  it('never lets subject wildcards, dots or slashes through', () => {
    expect(slugify('a.b > c * d/../e')).toBe('a-b-c-d-e');
    expect(slugify('>')).toBe('room');
  });

  it('falls back to "room" when nothing usable is left', () => {
    expect(slugify('!!!')).toBe('room');
    expect(slugify('日本語')).toBe('room');
    expect(slugify('')).toBe('room');
  });

  it('fits long titles into the id limit without a trailing dash', () => {
    const slug = slugify(`${'a'.repeat(63)} b`);
    expect(slug).toBe('a'.repeat(63));
    expect(slugify('x'.repeat(500))).toHaveLength(MAX_ROOM_ID_LENGTH);
  });

  it('numbers taken ids -2, -3, … and keeps them within the limit', () => {
    expect(slugCandidate('general', 1)).toBe('general');
    expect(slugCandidate('general', 2)).toBe('general-2');
    expect(slugCandidate('general', 13)).toBe('general-13');
    const long = slugCandidate('y'.repeat(MAX_ROOM_ID_LENGTH), 2);
    expect(long).toBe(`${'y'.repeat(MAX_ROOM_ID_LENGTH - 2)}-2`);
  });

  it('always yields a valid room id', () => {
    const titles = [
      'General',
      '  ',
      '-lead',
      'trail-',
      'a'.repeat(70),
      'Ünïcödé',
      '🎉 party 🎉',
      `${'ab-'.repeat(30)}`,
    ];
    for (const title of titles) {
      for (const n of [1, 2, 99, 123456]) expect(isValidRoomId(slugCandidate(slugify(title), n))).toBe(true);
    }
  });
});
