/**
 * Users as the auth service knows them, for the services that only ask (rooms, gateway).
 *
 * Two kinds of answer. A `fresh` lookup is asked of auth after it was called, and auth reads its database:
 * it is the user as they are now, whatever announcement was lost or overtaken, and it is what every decision to
 * let someone in (a handshake, a join) uses. Fresh lookups of one user that arrive before theirs is sent share
 * it; one arriving while a lookup is under way waits for the next, so a crowd of joins by one user costs about
 * one request per round trip to auth, not one each.
 *
 * A kept answer is shared for up to `ttlMs`: the per-message checks use it. Auth announces every change of a
 * user (flags, password, logout, deletion) and the entry is dropped at once; after a NATS reconnect, when
 * announcements may have been missed, all are dropped. An announcement lost on the way (a route between two
 * NATS nodes reconnecting drops what was in flight) is not seen, so `ttlMs` is what bounds a kept answer: it was
 * read by auth at most `ttlMs` plus one lookup's round trip before it is used.
 */
import { ChatError, compile, ErrorCode, Subjects, UserChangedEvent, UserFlags } from '@chat/protocol';
import { decodeJson, type NatsConnection, request } from '@chat/nats';
import { Type } from '@sinclair/typebox';
import { LRUCache } from 'lru-cache';
import type { CurrentUser } from './authenticate.js';

const validUserChanged = compile(UserChangedEvent);
const validCurrentUser = compile(Type.Composite([UserFlags, Type.Object({ sessionVersion: Type.Integer() })]));

/**
 * Users kept at most; beyond it the least recently asked about goes. An entry is a few hundred bytes, so
 * this bounds the directory to about 20 MB. It is far more users than one gateway or rooms instance serves
 * within `ttlMs` (the bench's storm is 2000); a bigger crowd would cost more lookups at auth, not memory.
 */
const MAX_USERS_KEPT = 50_000;

/** `requestId`: the gateway's id of the request that needs the user, carried to auth when it is asked. */
export type UserLookup = (id: string, requestId?: string) => Promise<CurrentUser | null>;

export interface UserDirectory {
  /**
   * The user as auth has them (null: no such user). `fresh`: as auth has them now, asked after this call, never
   * a kept answer. Auth down: UNAVAILABLE. A lookup that asks auth names `requestId` (a shared one, the request
   * that started it).
   */
  lookup(id: string, options?: { fresh?: boolean; requestId?: string | undefined }): Promise<CurrentUser | null>;
  close(): void;
}

/** An answer as kept: the cache keeps objects only, and "no such user" is an answer like any other. */
interface Answer {
  user: CurrentUser | null;
}

export function userDirectory(nc: NatsConnection, options: { timeoutMs: number; ttlMs: number }): UserDirectory {
  // A failed lookup rejects its fetch, and lru-cache then keeps nothing: the next caller asks again.
  const kept = new LRUCache<string, Answer, string | undefined>({
    max: MAX_USERS_KEPT,
    // 0 turns keeping off (lookup below); lru-cache reads a ttl of 0 as "forever".
    ttl: Math.max(1, options.ttlMs),
    fetchMethod: async (id, _stale, { context }) => ({ user: await ask(id, context) }),
    // An entry dropped while its lookup is under way (a change, a reconnect) is not kept when the answer
    // arrives, but those already waiting for it still get it, as they would have a moment earlier.
    ignoreFetchAbort: true,
  });
  const changes = nc.subscribe(Subjects.userChanged, {
    callback: (err, msg) => {
      if (err) return;
      const event = decodeJson(msg.data);
      // A malformed announcement still says something changed: drop everything rather than nothing.
      if (validUserChanged.check(event)) kept.delete(event.id);
      else kept.clear();
    },
  });
  const watchReconnects = (async () => {
    for await (const status of nc.status()) if (status.type === 'reconnect') kept.clear();
  })();
  void watchReconnects;

  /** Fresh lookups not sent yet, by user: callers join them. At most one per user is sent at a time. */
  const waiting = new Map<string, Promise<CurrentUser | null>>();
  const underWay = new Map<string, Promise<unknown>>();

  function askNow(id: string, requestId: string | undefined): Promise<CurrentUser | null> {
    const queued = waiting.get(id);
    if (queued) return queued;
    const before = underWay.get(id);
    const lookup = (async () => {
      // Either way the lookup is sent later than this call, so that the callers of this turn can join it.
      if (before) await before.catch(() => {});
      else await new Promise<void>((resolve) => setImmediate(resolve));
      waiting.delete(id);
      const asking = ask(id, requestId);
      underWay.set(id, asking);
      try {
        return await asking;
      } finally {
        if (underWay.get(id) === asking) underWay.delete(id);
      }
    })();
    waiting.set(id, lookup);
    return lookup;
  }

  async function ask(id: string, requestId: string | undefined): Promise<CurrentUser | null> {
    let reply: unknown;
    try {
      reply = await request<unknown>(nc, Subjects.auth.userGet, { id }, options.timeoutMs, requestId);
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
    async lookup(id, { fresh = false, requestId } = {}) {
      // Not fetch's forceRefresh: that joins a lookup already under way, which may have been asked before the
      // change the caller must see. A fresh answer is not kept either: an announcement arriving while it was under
      // way could not tell whether it came before or after auth's read.
      if (fresh || options.ttlMs === 0) return askNow(id, requestId);
      const answer = await kept.fetch(id, { context: requestId });
      if (answer === undefined) throw new ChatError(ErrorCode.INTERNAL, 'the user lookup was abandoned');
      return answer.user;
    },
    close() {
      changes.unsubscribe();
      kept.clear();
    },
  };
}
