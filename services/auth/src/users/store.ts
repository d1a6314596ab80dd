/** All reads and writes of auth.users. */
import { type AdminUserView, ChatError, ErrorCode, UUID_PATTERN } from '@chat/protocol';
import type { CurrentUser } from '@chat/service-kit';
import type { Kysely, Updateable } from 'kysely';
import type { AuthDatabase, UserRow, UsersTable } from '../db/schema.js';
import { hashPassword } from './passwords.js';

export interface NewUser {
  username: string;
  password: string;
  isStaff?: boolean | undefined;
  isAdmin?: boolean | undefined;
}

export interface UserChanges {
  password?: string | undefined;
  isStaff?: boolean | undefined;
  isAdmin?: boolean | undefined;
  disabled?: boolean | undefined;
}

/** An id from a URL may come in upper case: Postgres reads a uuid in either. */
const UUID = new RegExp(UUID_PATTERN, 'i');

export function toCurrentUser(row: UserRow): CurrentUser {
  return {
    id: row.id,
    username: row.username,
    isStaff: row.is_staff,
    isAdmin: row.is_admin,
    disabled: row.disabled,
    sessionVersion: row.session_version,
  };
}

export function toAdminView(row: UserRow): AdminUserView {
  return {
    id: row.id,
    username: row.username,
    isStaff: row.is_staff,
    isAdmin: row.is_admin,
    disabled: row.disabled,
    createdAt: row.created_at.toISOString(),
  };
}

export class UserStore {
  constructor(private readonly db: Kysely<AuthDatabase>) {}

  async findById(id: string): Promise<UserRow | undefined> {
    if (!UUID.test(id)) return undefined;
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('users')
      .selectAll()
      .where('username_key', '=', username.toLowerCase())
      .executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('username_key').execute();
  }

  async create(user: NewUser): Promise<UserRow> {
    const passwordHash = await hashPassword(user.password);
    const row = await this.db
      .insertInto('users')
      .values({
        username: user.username,
        username_key: user.username.toLowerCase(),
        password_hash: passwordHash,
        is_staff: user.isStaff ?? false,
        is_admin: user.isAdmin ?? false,
      })
      .onConflict((c) => c.column('username_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ChatError(ErrorCode.CONFLICT, `the username ${user.username} is taken`);
    return row;
  }

  async update(id: string, changes: UserChanges): Promise<UserRow> {
    const values: Updateable<UsersTable> = {};
    if (changes.password !== undefined) values.password_hash = await hashPassword(changes.password);
    if (changes.isStaff !== undefined) values.is_staff = changes.isStaff;
    if (changes.isAdmin !== undefined) values.is_admin = changes.isAdmin;
    if (changes.disabled !== undefined) values.disabled = changes.disabled;
    // A new password or a disabled account ends every session the old state had.
    const endSessions = changes.password !== undefined || changes.disabled === true;
    if (!UUID.test(id)) throw new ChatError(ErrorCode.NOT_FOUND, 'no such user');
    const row = await this.db
      .updateTable('users')
      .set((eb) => ({
        ...values,
        ...(endSessions ? { session_version: eb('session_version', '+', 1) } : {}),
      }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new ChatError(ErrorCode.NOT_FOUND, 'no such user');
    return row;
  }

  async endSessions(id: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set((eb) => ({ session_version: eb('session_version', '+', 1) }))
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string): Promise<void> {
    if (!UUID.test(id)) throw new ChatError(ErrorCode.NOT_FOUND, 'no such user');
    const result = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) throw new ChatError(ErrorCode.NOT_FOUND, 'no such user');
  }
}
