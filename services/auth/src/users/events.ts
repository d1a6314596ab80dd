import { Subjects, type UserChangedEvent } from '@chat/protocol';
import { encodeJson, type NatsConnection } from '@chat/nats';

/**
 * Tells holders of a user's flags or sessions (gateways, rooms) to look again. Resolves once the NATS server
 * has it, so that anything the caller does after the HTTP answer reaches them after the announcement.
 */
export async function announceUserChanged(nc: NatsConnection, id: string): Promise<void> {
  nc.publish(Subjects.userChanged, encodeJson({ id } satisfies UserChangedEvent));
  await nc.flush();
}
