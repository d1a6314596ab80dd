/** The system line for a `joined` or `left` event, which names one or more users (a crowd arriving at once). */

/** Names shown in full; a longer list names the first two and counts the rest. */
const MAX_NAMED = 3;

/**
 * "bob joined the room", "bob and carol joined the room", "bob, carol and dave joined the room", and for a crowd
 * "bob, carol and 5 others joined the room". `usernames` is in the order the server sent them; the server sends
 * at least one (the frame check drops an empty list).
 */
export function presenceText(usernames: readonly string[], what: 'joined' | 'left'): string {
  return `${nameList(usernames)} ${what} the room`;
}

function nameList(names: readonly string[]): string {
  if (names.length > MAX_NAMED) return `${names[0]}, ${names[1]} and ${names.length - 2} others`;
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}
