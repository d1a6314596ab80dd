/**
 * Users as the auth service knows them, for the services that only ask (rooms, gateway).
 *
 * A join storm asks about the same few users thousands of times in a second, so answers are shared: a
 * lookup already under way is joined rather than repeated, and an answer is kept for `ttlMs`. Kept answers
 * never outlive a change: auth announces every change of a user (flags, password, logout, deletion) and the
 * entry is dropped at once; after a NATS reconnect, when announcements may have been missed, all are
 * dropped. `ttlMs` only bounds how stale an answer could get if an announcement were lost some other way.
 * Kept answers are only safe for requests that reach the service over NATS, behind the announcement on the
 * same connection; requests over HTTP ask with `fresh`.
 */
import { ChatError, compile, ErrorCode, Subjects, type UserChangedEvent, UserFlags } from '@chat/protocol';
import { decodeJson, type NatsConnection, request } from '@chat/nats';
import { Type } from '@sinclair/typebox';
import type { CurrentUser } from './authenticate.js';

const validCurrentUser = compile(Type.Composite([UserFlags, Type.Object({ sessionVersion: Type.Integer() })]));

export type UserLookup = (id: string) => Promise<CurrentUser | null>;

export interface UserDirectory {
  /** The user as auth has them (null: no such user). `fresh` skips kept answers. Auth down: UNAVAILABLE. */
  lookup(id: string, options?: { fresh?: boolean }): Promise<CurrentUser | null>;
  close(): void;
}

interface Entry {
  answer: Promise<CurrentUser | null>;
  expiresAt: number;
}

export function userDirectory(nc: NatsConnection, options: { timeoutMs: number; ttlMs: number }): UserDirectory {
  const entries = new Map<string, Entry>();
  const changes = nc.subscribe(Subjects.userChanged, {
    callback: (err, msg) => {
      if (err) return;
      const event = decodeJson(msg.data) as Partial<UserChangedEvent> | undefined;
      if (typeof event?.id === 'string') entries.delete(event.id);
    },
  });
  const watchReconnects = (async () => {
    for await (const status of nc.status()) if (status.type === 'reconnect') entries.clear();
  })();
  void watchReconnects;

  async function ask(id: string): Promise<CurrentUser | null> {
    let reply: unknown;
    try {
      reply = await request<unknown>(nc, Subjects.auth.userGet, { id }, options.timeoutMs);
    } catch (err) {
      if (err instanceof ChatError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    }
    if (!validCurrentUser.check(reply)) {
      throw new ChatError(ErrorCode.INTERNAL, 'the auth service answered with an unexpected user');
    }
    return reply;
  }

  return {
    lookup(id, { fresh = false } = {}) {
      const now = Date.now();
      const kept = entries.get(id);
      if (kept && !fresh && kept.expiresAt > now) return kept.answer;
      const entry: Entry = { answer: ask(id), expiresAt: now + options.ttlMs };
      entries.set(id, entry);
      // A failed lookup is not kept: the next caller asks again.
      entry.answer.catch(() => {
        if (entries.get(id) === entry) entries.delete(id);
      });
      return entry.answer;
    },
    close() {
      changes.unsubscribe();
      entries.clear();
    },
  };
}
