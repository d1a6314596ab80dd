/**
 * NATS subject names: the single source of truth. Room ids are validated against ROOM_ID_PATTERN before they
 * are ever put into a subject, so `>`, `*`, dots and whitespace can never widen a subscription.
 */
import { MAX_ROOM_ID_LENGTH } from './limits.js';

export const ROOM_ID_PATTERN = `^[a-z0-9][a-z0-9_-]{0,${MAX_ROOM_ID_LENGTH - 1}}$`;
const roomIdRegExp = new RegExp(ROOM_ID_PATTERN);

export function isValidRoomId(id: unknown): id is string {
  return typeof id === 'string' && roomIdRegExp.test(id);
}

export const ROOM_SUBJECT_PREFIX = 'room.';

/** Events of one room: messages and join/leave notices. Only the rooms service publishes here. */
export function roomSubject(roomId: string): string {
  if (!isValidRoomId(roomId)) throw new Error(`unsafe room id for a subject: ${JSON.stringify(roomId)}`);
  return `${ROOM_SUBJECT_PREFIX}${roomId}`;
}

export const TYPING_SUBJECT_PREFIX = 'typing.';

/**
 * Typing in one room: gateways publish here and every gateway with members in the room listens (the rooms
 * service never does: typing is not stored). Apart from room.<id>, which only the rooms service may publish.
 */
export function typingSubject(roomId: string): string {
  if (!isValidRoomId(roomId)) throw new Error(`unsafe room id for a subject: ${JSON.stringify(roomId)}`);
  return `${TYPING_SUBJECT_PREFIX}${roomId}`;
}

/** Request/reply endpoints, grouped per service as @nats-io/services registers them. */
export const Subjects = {
  auth: {
    service: 'auth',
    userGet: 'auth.user.get',
    /** Answers the service's readiness report (HealthReport), as GET /readyz does. */
    ready: 'auth.ready',
  },
  rooms: {
    service: 'rooms',
    join: 'rooms.join',
    leave: 'rooms.leave',
    send: 'rooms.send',
    history: 'rooms.history',
    edit: 'rooms.edit',
    delete: 'rooms.delete',
    /** The current epoch and staff-only flag of rooms, for re-checking members (RoomAccessRequest). */
    access: 'rooms.access',
    /** A page of a room's members (MembersRequest). */
    members: 'rooms.members',
    /** A gateway says it is alive (GatewayHeartbeat); one silent too long is taken for dead. */
    heartbeat: 'rooms.heartbeat',
    ready: 'rooms.ready',
  },
  /** Broadcast when rooms are created, changed or deleted, for live room lists. */
  roomsChanged: 'rooms.changed',
  /** Broadcast when a user's flags change, so holders of cached flags can drop them. */
  userChanged: 'auth.events.user.changed',
} as const;

/** Headers of the rooms.join answer: what the gateway needs without parsing the history. */
export const JoinHeaders = {
  lastSeq: 'Chat-Last-Seq',
  /** The room's epoch the join was granted in: later requests name it, and a change to it ends the membership. */
  epoch: 'Chat-Room-Epoch',
} as const;

/**
 * Headers of the events on room.<id>. `Chat-Event` is on join and leave notices (`joined`, `left`): a
 * subscriber that only needs to tell them from the events that change the room (rooms, which ignores
 * notices) reads it without parsing the body. Messages carry their seq (`Chat-Seq`); edits and deletions carry
 * no header. The body stays the frame a socket gets, readable with `nats sub 'room.>'`.
 */
export const RoomEventHeaders = {
  type: 'Chat-Event',
  /**
   * On `message` events: the message's seq, so that a gateway drops a message announced again (after a rooms
   * instance died between its commit and its announcement) without parsing the body.
   */
  seq: 'Chat-Seq',
} as const;

/** Headers of the events on typing.<id>: the typist, so that gateways skip their sockets without parsing. */
export const TypingHeaders = {
  user: 'Chat-User',
} as const;

/** Queue group shared by instances of a service so each request is handled once. */
export const QUEUE_GROUP = 'q';
