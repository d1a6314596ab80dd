/** Users as the auth service knows them now: rooms keeps no copy, so a demotion or a ban counts at once. */
import { ChatError, compile, ErrorCode, Subjects, type UserGetRequest, UserFlags } from '@chat/protocol';
import { type NatsConnection, request } from '@chat/nats';
import type { CurrentUser } from '@chat/service-kit';
import { Type } from '@sinclair/typebox';

const validCurrentUser = compile(Type.Composite([UserFlags, Type.Object({ sessionVersion: Type.Integer() })]));

export type UserLookup = (id: string) => Promise<CurrentUser | null>;

/** Looks a user up over NATS; null when auth has no such user. Other failures (auth down) are thrown. */
export function natsUserLookup(nc: NatsConnection, timeoutMs: number): UserLookup {
  return async (id) => {
    let reply: unknown;
    try {
      reply = await request<unknown>(nc, Subjects.auth.userGet, { id } satisfies UserGetRequest, timeoutMs);
    } catch (err) {
      if (err instanceof ChatError && err.code === ErrorCode.NOT_FOUND) return null;
      throw err;
    }
    if (!validCurrentUser.check(reply))
      throw new ChatError(ErrorCode.INTERNAL, 'the auth service answered with an unexpected user');
    return reply;
  };
}
