/** What other services may ask the auth service over NATS. */
import {
  ChatError,
  ErrorCode,
  type HealthReport,
  QUEUE_GROUP,
  ReadyRequest,
  Subjects,
  UserGetRequest,
  compile,
} from '@chat/protocol';
import { endpoint, type ServiceSpec } from '@chat/nats';
import type { UserStore } from '../users/store.js';
import { toCurrentUser } from '../users/store.js';

export function authService(users: UserStore, ready: () => Promise<HealthReport>): ServiceSpec {
  return {
    name: Subjects.auth.service,
    version: '0.1.0',
    description: 'users, passwords and session tokens',
    queue: QUEUE_GROUP,
    endpoints: {
      'user-get': endpoint({
        subject: Subjects.auth.userGet,
        validator: compile(UserGetRequest),
        async handle({ id }) {
          const row = await users.findById(id);
          if (!row) throw new ChatError(ErrorCode.NOT_FOUND, 'no such user');
          return toCurrentUser(row);
        },
      }),
      // The gateway's readiness asks this: answered, not ready, is told apart from not answering at all.
      ready: endpoint({ subject: Subjects.auth.ready, validator: compile(ReadyRequest), handle: () => ready() }),
    },
  };
}
