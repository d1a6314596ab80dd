/**
 * Room ids made from titles: readable, and always safe as a NATS subject token (ROOM_ID_PATTERN). The rule is
 * documented in docs/protocol.md ("Room ids").
 */
import { createHash } from 'node:crypto';
import { MAX_ROOM_ID_LENGTH } from '@chat/protocol';
import anyAscii from 'any-ascii';

/** Letters of scripts without case (Han, Hangul, kana, Thai, Arabic, …): any-ascii capitalizes their syllables. */
const CASELESS_LETTER = /^\p{Lo}$/u;
const STARTS_CAPITAL = /^[A-Z]/;

/**
 * "Café Talk!" → "cafe-talk", "日本語" → "ri-ben-yu", "Привет мир" → "privet-mir", "🎉 Party" → "tada-party".
 * Every script is transliterated to ASCII (any-ascii: Unicode's scripts and emoji, each character alone, so the
 * same title always gives the same id); then anything but a-z and 0-9 becomes a dash. A title with nothing left
 * ("!!!") gets "room-" and 8 hex digits of a hash of the title, so it is stable too.
 */
export function slugify(title: string): string {
  const slug = fit(
    toAscii(title.normalize('NFC'))
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
    MAX_ROOM_ID_LENGTH,
  );
  return slug || `room-${createHash('sha256').update(title.normalize('NFC').trim()).digest('hex').slice(0, 8)}`;
}

/** The nth candidate id for a slug: n = 1 is the slug itself, then slug-2, slug-3, … within the length limit. */
export function slugCandidate(slug: string, n: number): string {
  if (n <= 1) return slug;
  const suffix = `-${n}`;
  return `${fit(slug, MAX_ROOM_ID_LENGTH - suffix.length) || 'room'}${suffix}`;
}

function toAscii(title: string): string {
  let ascii = '';
  for (const char of title) {
    const latin = anyAscii(char);
    // "日本語" is "RiBenYu": a syllable of a caseless script is a word of its own ("ri-ben-yu"), not a run.
    ascii += CASELESS_LETTER.test(char) && STARTS_CAPITAL.test(latin) ? `-${latin}-` : latin;
  }
  return ascii;
}

/** At most `max` characters, no dash at either end; a cut falls between words unless that loses half. */
function fit(slug: string, max: number): string {
  const whole = slug.replace(/^-+/, '');
  let cut = whole.slice(0, max);
  if (whole.length > max && whole[max] !== '-') {
    const lastDash = cut.lastIndexOf('-');
    if (lastDash >= max / 2) cut = cut.slice(0, lastDash);
  }
  return cut.replace(/-+$/, '');
}
