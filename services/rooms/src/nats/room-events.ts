/**
 * Publishes the events of a room (message, joined, left, edited, deleted) on room.<id>. Each frame is built
 * here, once: the gateway forwards these exact bytes to every socket in the room. Join and leave notices also
 * carry their type in the `Chat-Event` header, so that subscribers needing only to tell them from the events
 * that change the room do not parse the body. A message carries its seq in `Chat-Seq`: it may be announced
 * again (docs/reliability.md, "Every committed message is announced"), and gateways drop what they delivered.
 *
 * Join and leave notices are gathered per room (see PresenceGatherer in the protocol), and whatever is
 * gathered for a room is published before any other event of that room, so a notice never trails the
 * message of the user it names.
 */
import {
  type DeletedEvent,
  type EditedEvent,
  type MessageEvent,
  messageEventJson,
  PresenceGatherer,
  type PresenceKind,
  RoomEventHeaders,
  roomSubject,
  type UserRef,
} from '@chat/protocol';
import { headers, type MsgHdrs, type NatsConnection } from '@chat/nats';

/**
 * The events that carry a message take it as its ChatMessage JSON: the caller serializes the message once,
 * for this event and for the answer to whoever made it.
 */
export interface RoomEvents {
  message(room: string, messageJson: string, seq: number): void;
  joined(room: string, user: UserRef): void;
  left(room: string, user: UserRef): void;
  edited(room: string, messageJson: string): void;
  deleted(room: string, messageJson: string): void;
  /** Publishes every gathered notice now (before shutdown). */
  flush(): void;
}

type MessageEventType = (MessageEvent | EditedEvent | DeletedEvent)['type'];

/** The notices' headers, made once: they never change. */
function noticeHeaders(kind: PresenceKind): MsgHdrs {
  const h = headers();
  h.set(RoomEventHeaders.type, kind);
  return h;
}
const NOTICE_HEADERS: Record<PresenceKind, MsgHdrs> = { joined: noticeHeaders('joined'), left: noticeHeaders('left') };

export function natsRoomEvents(nc: NatsConnection): RoomEvents {
  const presence = new PresenceGatherer((room, frame, kind) =>
    nc.publish(roomSubject(room), frame, { headers: NOTICE_HEADERS[kind] }),
  );
  const publishMessage = (type: MessageEventType, room: string, messageJson: string, h?: MsgHdrs) => {
    presence.flush(room);
    nc.publish(roomSubject(room), messageEventJson(type, room, messageJson), h && { headers: h });
  };
  return {
    message(room, messageJson, seq) {
      const h = headers();
      h.set(RoomEventHeaders.seq, String(seq));
      publishMessage('message', room, messageJson, h);
    },
    edited: (room, messageJson) => publishMessage('edited', room, messageJson),
    deleted: (room, messageJson) => publishMessage('deleted', room, messageJson),
    joined(room, user) {
      presence.add(room, 'joined', user);
    },
    left(room, user) {
      presence.add(room, 'left', user);
    },
    flush() {
      presence.flushAll();
    },
  };
}
