/** What the gateway (and any other service) may ask the rooms service over NATS. */
import {
  ChatError,
  compile,
  DeleteRequest,
  EditRequest,
  ErrorCode,
  type HealthReport,
  HISTORY_ON_JOIN,
  HistoryRequest,
  type HistoryResult,
  JoinHeaders,
  JoinRequest,
  joinResultJson,
  joinResultWithMembers,
  LeaveRequest,
  normalizeMessageText,
  QUEUE_GROUP,
  ReadyRequest,
  RoomAccessRequest,
  type RoomAccessResult,
  SendRequest,
  Subjects,
} from '@chat/protocol';
import { endpoint, RawReply, type ServiceSpec } from '@chat/nats';
import type { MessageEdits } from '../messages/edits.js';
import type { MessageHistory } from '../messages/history.js';
import type { RecentHistory } from '../messages/recent-history.js';
import { resumeAnswer } from '../messages/resume.js';
import type { MessageWriter } from '../messages/writer.js';
import type { RoomAccessCheck } from '../rooms/access.js';
import { assertMayEnter, noSuchRoom, type RoomStore } from '../rooms/store.js';
import type { UserLookup } from '@chat/service-kit';
import type { RoomEvents } from './room-events.js';
import type { PresenceStore } from '../presence/store.js';
import { enterPresence, presenceEndpoints } from './presence-endpoints.js';

export interface RoomsServiceDeps {
  rooms: RoomStore;
  history: MessageHistory;
  writer: MessageWriter;
  events: RoomEvents;
  /** The user's flags as auth has them now, asked after the call (joins). */
  currentUser: UserLookup;
  edits: MessageEdits;
  recent: RecentHistory;
  /** Who is in which room, across every gateway. */
  presence: PresenceStore;
  /** Who may use a room now: checked on every request that reads or writes one. */
  access: RoomAccessCheck;
  /** The service's readiness report, as GET /readyz answers it. */
  ready: () => Promise<HealthReport>;
  /** Told of every send refused, with the code its sender gets (metrics). */
  sendRefused?(code: ErrorCode): void;
}

export function roomsService({
  rooms,
  history,
  writer,
  events,
  currentUser,
  edits,
  recent,
  access,
  ready,
  sendRefused,
  presence,
}: RoomsServiceDeps): ServiceSpec {
  return {
    name: Subjects.rooms.service,
    version: '0.1.0',
    description: 'rooms, their messages and who may enter them',
    queue: QUEUE_GROUP,
    endpoints: {
      join: endpoint({
        subject: Subjects.rooms.join,
        validator: compile(JoinRequest),
        async handle(
          { room: roomId, user, limit = HISTORY_ON_JOIN, resume, gateway, again },
          request,
        ): Promise<RawReply> {
          // The user as auth has them now and the room as the database has it now, both read after the join
          // arrived: a join never rests on an event (of the change) having reached this instance first.
          const [current, found] = await Promise.all([
            currentUser(user.id, request.id),
            rooms.findWithHistoryState(roomId),
          ]);
          if (!current) throw new ChatError(ErrorCode.UNAUTHORIZED, 'no such user');
          if (current.disabled) throw new ChatError(ErrorCode.USER_DISABLED, 'this account is disabled');
          if (!found) throw noSuchRoom();
          const { room } = found;
          assertMayEnter(room, current);
          // The usual join (latest 50) is served from a kept, encoded answer; other sizes, and rejoins, are read.
          const answer = resume
            ? await resumeAnswer(found, resume, limit, { history, recent })
            : limit === HISTORY_ON_JOIN
              ? await recent.joinAnswer(found)
              : joinResultJson(JSON.stringify(room), JSON.stringify(await history.page(room.id, { limit })));
          const me = { id: current.id, username: current.username };
          const members = await enterPresence(presence, events, room.id, me, gateway, again);
          return new RawReply(joinResultWithMembers(answer, members.json, members.count), {
            [JoinHeaders.lastSeq]: String(found.lastSeq),
            [JoinHeaders.epoch]: String(found.epoch),
          });
        },
      }),
      leave: endpoint({
        subject: Subjects.rooms.leave,
        validator: compile(LeaveRequest),
        async handle({ room, user, gateway }) {
          await rooms.get(room);
          if (await presence.leave(room, user.id, gateway)) events.left(room, { id: user.id, username: user.username });
          return {};
        },
      }),
      send: endpoint({
        subject: Subjects.rooms.send,
        validator: compile(SendRequest),
        async handle({ room, epoch, author, text, id, attempt }, request) {
          try {
            const { isStaff } = await access.assertMayWrite(room, author.id, epoch, request.id);
            const identity = { id, retried: (attempt ?? 1) > 1, requestId: request.id };
            return await writer.send(room, author, normalizeMessageText(text), { epoch, isStaff }, identity);
          } catch (err) {
            sendRefused?.(err instanceof ChatError ? err.code : ErrorCode.INTERNAL);
            throw err;
          }
        },
      }),
      edit: endpoint({
        subject: Subjects.rooms.edit,
        validator: compile(EditRequest),
        async handle({ room, epoch, id, user, text }, request) {
          await access.assertMayUse(room, user.id, epoch, request.id);
          const json = JSON.stringify(await edits.edit(room, id, user, normalizeMessageText(text)));
          events.edited(room, json);
          return new RawReply(json);
        },
      }),
      delete: endpoint({
        subject: Subjects.rooms.delete,
        validator: compile(DeleteRequest),
        async handle({ room, epoch, id, user }, request) {
          await access.assertMayUse(room, user.id, epoch, request.id);
          const json = JSON.stringify(await edits.delete(room, id, user));
          events.deleted(room, json);
          return new RawReply(json);
        },
      }),
      history: endpoint({
        subject: Subjects.rooms.history,
        validator: compile(HistoryRequest),
        async handle({ room, epoch, user, before, limit }, request): Promise<HistoryResult> {
          await access.assertMayUse(room, user.id, epoch, request.id);
          return { room, messages: await history.page(room, { before, limit }) };
        },
      }),
      // Read from the store, never kept: the gateway asks this after a change or a gap, to re-check members.
      access: endpoint({
        subject: Subjects.rooms.access,
        validator: compile(RoomAccessRequest),
        handle: async ({ rooms: ids }): Promise<RoomAccessResult> => ({ rooms: await rooms.accessOf(ids) }),
      }),
      ...presenceEndpoints(presence, rooms),
      // The gateway's readiness asks this: answered, not ready, is told apart from not answering at all.
      ready: endpoint({ subject: Subjects.rooms.ready, validator: compile(ReadyRequest), handle: () => ready() }),
    },
  };
}
