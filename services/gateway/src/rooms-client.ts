/** The gateway's view of the rooms service: typed requests over NATS, each with a deadline. */
import {
  type ChatMessage,
  type HistoryResult,
  type JoinResult,
  type UserFlags,
  type UserRef,
  Subjects,
} from '@chat/protocol';
import { type NatsConnection, request } from '@chat/nats';

export class ServicesClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {}

  join(room: string, user: UserRef): Promise<JoinResult> {
    return request(this.nc, Subjects.rooms.join, { room, user }, this.timeoutMs);
  }

  leave(room: string, user: UserRef): Promise<unknown> {
    return request(this.nc, Subjects.rooms.leave, { room, user }, this.timeoutMs);
  }

  send(room: string, author: UserRef, text: string): Promise<ChatMessage> {
    return request(this.nc, Subjects.rooms.send, { room, author, text }, this.timeoutMs);
  }

  history(room: string, before: number | undefined, limit: number | undefined): Promise<HistoryResult> {
    return request(this.nc, Subjects.rooms.history, { room, before, limit }, this.timeoutMs);
  }

  user(id: string): Promise<UserFlags & { sessionVersion: number }> {
    return request(this.nc, Subjects.auth.userGet, { id }, this.timeoutMs);
  }
}
