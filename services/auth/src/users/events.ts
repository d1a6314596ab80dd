import { Subjects, type UserChangedEvent } from '@chat/protocol';
import { announce, type NatsConnection } from '@chat/nats';

/** Tells holders of a user's flags or sessions (gateways, rooms) to look again (see `announce`). */
export function announceUserChanged(nc: NatsConnection, id: string): Promise<void> {
  return announce(nc, Subjects.userChanged, { id } satisfies UserChangedEvent);
}
