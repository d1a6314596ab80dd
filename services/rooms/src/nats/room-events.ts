/**
 * Publishes the events of a room (message, joined, left, edited, deleted) on room.<id>. Each frame is
 * serialized here, once: the gateway forwards these exact bytes to every socket in the room.
 *
 * Join and leave notices are gathered per room (see PresenceGatherer in the protocol), and whatever is
 * gathered for a room is published before any other event of that room, so a notice never trails the
 * message of the user it names.
 */
import {
  type ChatMessage,
  type DeletedEvent,
  type EditedEvent,
  PresenceGatherer,
  roomSubject,
  type UserRef,
} from '@chat/protocol';
import type { NatsConnection } from '@chat/nats';

export interface RoomEvents {
  /** A new message, given as its ChatMessage JSON (serialized once for the sender's answer and this). */
  message(room: string, messageJson: string): void;
  joined(room: string, user: UserRef): void;
  left(room: string, user: UserRef): void;
  edited(room: string, message: ChatMessage): void;
  deleted(room: string, message: ChatMessage): void;
  /** Publishes every gathered notice now (before shutdown). */
  flush(): void;
}

export function natsRoomEvents(nc: NatsConnection): RoomEvents {
  const presence = new PresenceGatherer((room, frame) => nc.publish(roomSubject(room), frame));
  const publish = (room: string, frame: string) => {
    presence.flush(room);
    nc.publish(roomSubject(room), frame);
  };
  return {
    message(room, messageJson) {
      // {"type":"message","room":…,"message":…}, the MessageEvent's own key order, with the message spliced in.
      publish(room, `{"type":"message","room":${JSON.stringify(room)},"message":${messageJson}}`);
    },
    joined(room, user) {
      presence.add(room, 'joined', user);
    },
    left(room, user) {
      presence.add(room, 'left', user);
    },
    edited(room, message) {
      publish(room, JSON.stringify({ type: 'edited', room, message } satisfies EditedEvent));
    },
    deleted(room, message) {
      publish(room, JSON.stringify({ type: 'deleted', room, message } satisfies DeletedEvent));
    },
    flush() {
      presence.flushAll();
    },
  };
}
