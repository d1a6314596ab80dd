/**
 * Publishes the events of a room (message, joined, left) on room.<id>. Each frame is serialized here, once:
 * the gateway forwards these exact bytes to every socket in the room.
 */
import {
  type ChatMessage,
  type DeletedEvent,
  type EditedEvent,
  type JoinedEvent,
  type LeftEvent,
  type MessageEvent,
  roomSubject,
  type UserRef,
} from '@chat/protocol';
import type { NatsConnection } from '@chat/nats';

export interface RoomEvents {
  message(room: string, message: ChatMessage): void;
  joined(room: string, user: UserRef): void;
  left(room: string, user: UserRef): void;
  edited(room: string, message: ChatMessage): void;
  deleted(room: string, message: ChatMessage): void;
}

export function natsRoomEvents(nc: NatsConnection): RoomEvents {
  return {
    message(room, message) {
      nc.publish(roomSubject(room), JSON.stringify({ type: 'message', room, message } satisfies MessageEvent));
    },
    joined(room, user) {
      nc.publish(roomSubject(room), JSON.stringify({ type: 'joined', room, user } satisfies JoinedEvent));
    },
    left(room, user) {
      nc.publish(roomSubject(room), JSON.stringify({ type: 'left', room, user } satisfies LeftEvent));
    },
    edited(room, message) {
      nc.publish(roomSubject(room), JSON.stringify({ type: 'edited', room, message } satisfies EditedEvent));
    },
    deleted(room, message) {
      nc.publish(roomSubject(room), JSON.stringify({ type: 'deleted', room, message } satisfies DeletedEvent));
    },
  };
}
