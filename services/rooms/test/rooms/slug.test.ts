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
  });

  it('transliterates other scripts instead of dropping them', () => {
    expect(slugify('日本語')).toBe('ri-ben-yu');
    expect(slugify('中文聊天室')).toBe('zhong-wen-liao-tian-shi');
    expect(slugify('한국어 방')).toBe('han-gug-eo-bang');
    expect(slugify('ひらがな')).toBe('hiragana');
    expect(slugify('Привет мир')).toBe('privet-mir');
    expect(slugify('Ελληνικά')).toBe('ellinika');
    expect(slugify('Ünïcödé')).toBe('unicode');
    expect(slugify('Straße')).toBe('strasse');
    expect(slugify('日本語 chat')).toBe('ri-ben-yu-chat');
  });

  it('names emoji and symbols', () => {
    expect(slugify('🎉 Party 🎉')).toBe('tada-party-tada');
    expect(slugify('🎉🎉')).toBe('tada-tada');
    expect(slugify('I ♥ NY')).toBe('i-hearts-ny');
  });

  it('gives a title with nothing to spell a stable id of its own, not a bare "room"', () => {
    for (const title of ['!!!', '***', '>', '?']) {
      expect(slugify(title)).toMatch(/^room-[0-9a-f]{8}$/);
      expect(slugify(title)).toBe(slugify(title));
      expect(slugify(` ${title} `)).toBe(slugify(title));
    }
    expect(slugify('!!!')).not.toBe(slugify('???'));
  });

  it('fits long titles into the id limit without a trailing dash, cutting between words', () => {
    const slug = slugify(`${'a'.repeat(63)} b`);
    expect(slug).toBe('a'.repeat(63));
    expect(slugify('x'.repeat(500))).toHaveLength(MAX_ROOM_ID_LENGTH);
    expect(slugify('中'.repeat(60))).toBe(Array(10).fill('zhong').join('-'));
    expect(slugify(`ab ${'c'.repeat(70)}`)).toBe(`ab-${'c'.repeat(61)}`);
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
      '日本語',
      '!!!',
      '中'.repeat(100),
      'a.b>*',
      `${'ab-'.repeat(30)}`,
    ];
    for (const title of titles) {
      for (const n of [1, 2, 99, 123456]) expect(isValidRoomId(slugCandidate(slugify(title), n))).toBe(true);
    }
  });
});
