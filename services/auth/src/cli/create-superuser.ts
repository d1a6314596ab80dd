/** Creates an admin + staff account straight in the auth database (used by `npm run createsuperuser`). */
import { openDatabase } from '@chat/service-kit';
import { compile, Password, Username } from '@chat/protocol';
import { migrations } from '../db/migrations/index.js';
import { AUTH_SCHEMA, type AuthDatabase } from '../db/schema.js';
import { UserStore } from '../users/store.js';

const validUsername = compile(Username);
const validPassword = compile(Password);

export async function createSuperuser(databaseUrl: string, username: string, password: string): Promise<string> {
  validUsername.assert(username);
  validPassword.assert(password);
  const database = await openDatabase<AuthDatabase>({ url: databaseUrl, schema: AUTH_SCHEMA, poolMax: 1, migrations });
  try {
    const row = await new UserStore(database.db).create({ username, password, isStaff: true, isAdmin: true });
    return row.id;
  } finally {
    await database.close();
  }
}
