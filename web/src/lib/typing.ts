/**
 * Who is typing in a room, as the client shows it: a typing state lasts TYPING_EXPIRY_MS from its last renewal,
 * and ends early with a stop or with the typist's message.
 */
import type { UserRef } from '@chat/protocol';
import { TYPING_EXPIRY_MS } from './limits';

export interface Typist {
  user: UserRef;
  /** When the state ends unless renewed (ms since the epoch). */
  until: number;
}

export function withTyping(typists: readonly Typist[], user: UserRef, now = Date.now()): Typist[] {
  return [...withoutTypist(typists, user.id), { user, until: now + TYPING_EXPIRY_MS }];
}

export function withoutTypist(typists: readonly Typist[], userId: string): Typist[] {
  return typists.filter((typist) => typist.user.id !== userId);
}

export function unexpired(typists: readonly Typist[], now = Date.now()): Typist[] {
  return typists.filter((typist) => typist.until > now);
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…"; null when nobody is. */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}
