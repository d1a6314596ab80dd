import { Subjects, type UserChangedEvent } from '@chat/protocol';
import { encodeJson, type NatsConnection } from '@chat/nats';

/** Tells holders of a user's flags or sessions (the gateways) to look again. */
export function announceUserChanged(nc: NatsConnection, id: string): void {
  nc.publish(Subjects.userChanged, encodeJson({ id } satisfies UserChangedEvent));
}
