import type { Migration } from 'kysely';
import * as users from './0001-users.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001-users': users,
};
