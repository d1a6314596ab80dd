/** Room ids made from titles: readable, and always safe as a NATS subject token (ROOM_ID_PATTERN). */
import { MAX_ROOM_ID_LENGTH } from '@chat/protocol';

const FALLBACK = 'room';

/** "Café Talk!" → "cafe-talk"; a title with nothing usable in it → "room". */
export function slugify(title: string): string {
  const slug = fit(
    title
      .normalize('NFKD')
      // Combining marks: "é" became "e" + U+0301 above; keep the letter.
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
    MAX_ROOM_ID_LENGTH,
  );
  return slug || FALLBACK;
}

/** The nth candidate id for a slug: n = 1 is the slug itself, then slug-2, slug-3, … within the length limit. */
export function slugCandidate(slug: string, n: number): string {
  if (n <= 1) return slug;
  const suffix = `-${n}`;
  return `${fit(slug, MAX_ROOM_ID_LENGTH - suffix.length) || FALLBACK}${suffix}`;
}

function fit(slug: string, max: number): string {
  return slug.replace(/^-+/, '').slice(0, max).replace(/-+$/, '');
}
