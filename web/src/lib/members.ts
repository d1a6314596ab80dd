/**
 * A room's members as the client keeps them: the join reply's list (and the pages after it), kept live from
 * `joined` and `left`. The count is the server's, moved by the notices, so a list still being paged shows the
 * right number.
 */
import type { UserRef } from '@chat/protocol';

export interface Members {
  users: readonly UserRef[];
  count: number;
}

export const noMembers: Members = { users: [], count: 0 };

/** The members named in a page (or a join reply), with the count as the server read it. */
export function withPage(members: Members, page: readonly UserRef[], count: number): Members {
  const known = new Set(members.users.map((user) => user.id));
  return { users: [...members.users, ...page.filter((user) => !known.has(user.id))], count };
}

export function withJoined(members: Members, users: readonly UserRef[]): Members {
  const known = new Set(members.users.map((user) => user.id));
  const added = users.filter((user) => !known.has(user.id));
  return { users: [...members.users, ...added], count: members.count + added.length };
}

export function withLeft(members: Members, users: readonly UserRef[]): Members {
  const gone = new Set(users.map((user) => user.id));
  const kept = members.users.filter((user) => !gone.has(user.id));
  // Someone not yet paged in can leave too: the count follows the server's notice either way.
  return { users: kept, count: Math.max(kept.length, members.count - users.length) };
}
