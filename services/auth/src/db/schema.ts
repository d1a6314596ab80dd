import type { ColumnType, Generated, Selectable } from 'kysely';

export const AUTH_SCHEMA = 'auth';

export interface UsersTable {
  id: Generated<string>;
  username: string;
  /** lower(username): the unique key, so Alice and alice are one account. */
  username_key: string;
  password_hash: string;
  is_staff: ColumnType<boolean, boolean | undefined, boolean>;
  is_admin: ColumnType<boolean, boolean | undefined, boolean>;
  disabled: ColumnType<boolean, boolean | undefined, boolean>;
  /** Bumped by logout, password change and disabling: tokens carrying an older value stop working. */
  session_version: ColumnType<number, number | undefined, number>;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface AuthDatabase {
  users: UsersTable;
}

export type UserRow = Selectable<UsersTable>;
