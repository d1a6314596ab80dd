/** Creates an admin + staff account straight in the auth database: the createsuperuser command's work. */
import { openDatabase } from '@chat/service-kit';
import { ChatError, compile, ErrorCode, Password, Username } from '@chat/protocol';
import { migrations } from '../db/migrations/index.js';
import { AUTH_SCHEMA, type AuthDatabase } from '../db/schema.js';
import { UserStore } from './store.js';

const validUsername = compile(Username);
const validPassword = compile(Password);

/** What is wrong with a username, said for the person who typed it; undefined when it is fine. */
export function usernameProblem(username: string): string | undefined {
  if (username.length === 0) return 'the username is empty';
  if (username.length > (Username.maxLength ?? Number.POSITIVE_INFINITY))
    return `the username is too long: at most ${Username.maxLength} characters`;
  if (!validUsername.check(username))
    return `"${username}" cannot be a username: use only letters, digits and _ . @ + - (no spaces)`;
  return undefined;
}

/** What is wrong with a password, said for the person who typed it (never echoing it); undefined when fine. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < (Password.minLength ?? 0))
    return `the password is too short: it needs at least ${Password.minLength} characters`;
  if (!validPassword.check(password)) return `the password is too long: at most ${Password.maxLength} characters`;
  return undefined;
}

export async function createSuperuser(databaseUrl: string, username: string, password: string): Promise<string> {
  const problem = usernameProblem(username) ?? passwordProblem(password);
  if (problem) throw new ChatError(ErrorCode.BAD_REQUEST, problem);
  const database = await openDatabase<AuthDatabase>({ url: databaseUrl, schema: AUTH_SCHEMA, poolMax: 1, migrations });
  try {
    const row = await new UserStore(database.db).create({ username, password, isStaff: true, isAdmin: true });
    return row.id;
  } finally {
    await database.close();
  }
}
