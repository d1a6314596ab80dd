/** `npm run createsuperuser` as an operator meets it: the real script as a child process, on a real database. */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { join } from 'node:path';
import { openDatabase } from '@chat/service-kit';
import { createTestDatabase, repoRoot, type TestDatabase } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../src/db/migrations/index.js';
import { AUTH_SCHEMA, type AuthDatabase } from '../src/db/schema.js';
import { verifyPassword } from '../src/users/passwords.js';
import { UserStore } from '../src/users/store.js';

const script = join(repoRoot, 'scripts', 'createsuperuser.mjs');
const PASSWORD = 'correct horse battery staple';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.drop());

interface Run {
  code: number | null;
  output: string;
}

function cliEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: database.url, ...extra };
}

function collect(child: ChildProcessWithoutNullStreams, onOutput?: (output: string) => void): Promise<Run> {
  let output = '';
  const note = (chunk: Buffer) => {
    output += chunk.toString();
    onOutput?.(output);
  };
  child.stdout.on('data', note);
  child.stderr.on('data', note);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

/** Runs the CLI with standard input a pipe (not a terminal) holding `stdin`, as in CI or a script. */
function run(args: string[], { stdin = '', env = {} }: { stdin?: string; env?: Record<string, string> } = {}) {
  const child = spawn(process.execPath, [script, ...args], { cwd: repoRoot, env: cliEnv(env) });
  const done = collect(child);
  child.stdin.end(stdin);
  return done;
}

/** Runs the CLI in a pseudo-terminal (util-linux `script`), answering each prompt once it has appeared. */
function runInTerminal(args: string[], answers: [prompt: string, typed: string][]) {
  const command = [process.execPath, script, ...args].map((a) => `'${a}'`).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env: cliEnv() });
  let seen = 0;
  return collect(child, (output) => {
    // Typing before the prompt would be echoed by the terminal itself, as for a person typing ahead.
    for (let next = answers[0]; next; next = answers[0]) {
      const at = output.indexOf(next[0], seen);
      if (at < 0) return;
      seen = at + next[0].length;
      answers.shift();
      child.stdin.write(`${next[1]}\r`);
    }
  });
}

async function storedUser(username: string) {
  const db = await openDatabase<AuthDatabase>({ url: database.url, schema: AUTH_SCHEMA, poolMax: 1, migrations });
  try {
    return await new UserStore(db.db).findByUsername(username);
  } finally {
    await db.close();
  }
}

async function expectSuperuser(username: string, password: string) {
  const row = await storedUser(username);
  expect(row).toMatchObject({ username, is_staff: true, is_admin: true, disabled: false });
  expect(await verifyPassword(row?.password_hash ?? '', password)).toBe(true);
}

describe('npm run createsuperuser', () => {
  it('creates an admin and staff account from --password-stdin without ever printing the password', async () => {
    const result = await run(['--username', 'piped', '--password-stdin'], { stdin: `${PASSWORD}\n` });
    expect(result).toEqual({ code: 0, output: 'Superuser piped created.\n' });
    await expectSuperuser('piped', PASSWORD);
  });

  it('takes the password from CHAT_SUPERUSER_PASSWORD', async () => {
    const result = await run(['--username', 'fromenv'], { env: { CHAT_SUPERUSER_PASSWORD: PASSWORD } });
    expect(result).toEqual({ code: 0, output: 'Superuser fromenv created.\n' });
    await expectSuperuser('fromenv', PASSWORD);
  });

  it('still takes --password, with a warning that it shows on screen', async () => {
    const result = await run(['--username', 'flagged', '--password', PASSWORD]);
    expect(result.code).toBe(0);
    expect(result.output).toContain('Warning: --password shows the password on screen');
    expect(result.output).not.toContain(PASSWORD);
    await expectSuperuser('flagged', PASSWORD);
  });

  it('asks in a terminal without showing what is typed, and asks again after a too-short password', async () => {
    const result = await runInTerminal(
      ['--username', 'typed'],
      [
        ['Password: ', 'short'],
        ['Password: ', PASSWORD],
        ['Password (again): ', PASSWORD],
      ],
    );
    expect(result.output).toContain('the password is too short: it needs at least 8 characters; try again');
    expect(result.output).toContain('Superuser typed created.');
    expect(result.output).not.toContain(PASSWORD);
    expect(result.output).not.toContain('short\r');
    expect(result.code).toBe(0);
    await expectSuperuser('typed', PASSWORD);
  });

  it('says plainly which characters a username may have, and creates nothing', async () => {
    const result = await run(['--username', 'x y', '--password-stdin'], { stdin: PASSWORD });
    expect(result).toEqual({
      code: 1,
      output: 'Error: "x y" cannot be a username: use only letters, digits and _ . @ + - (no spaces).\n',
    });
  });

  it('says plainly that a password is too short, without echoing it', async () => {
    const result = await run(['--username', 'shorty', '--password-stdin'], { stdin: 'hunter2' });
    expect(result).toEqual({
      code: 1,
      output: 'Error: the password is too short: it needs at least 8 characters.\n',
    });
    expect(await storedUser('shorty')).toBeUndefined();
  });

  it('says a name is taken, whatever its case', async () => {
    await run(['--username', 'Founder', '--password-stdin'], { stdin: PASSWORD });
    const result = await run(['--username', 'founder', '--password-stdin'], { stdin: PASSWORD });
    expect(result).toEqual({ code: 1, output: 'Error: the username founder is taken.\n' });
  });

  it('without a terminal and no password, says how to give one and exits with 3', async () => {
    const result = await run(['--username', 'nobody']);
    expect(result.code).toBe(3);
    expect(result.output).toContain('there is no terminal to ask for the password on');
    expect(result.output).toContain('--password-stdin');
    expect(result.output).toContain('CHAT_SUPERUSER_PASSWORD');
    expect(await storedUser('nobody')).toBeUndefined();
  });

  it('without a terminal and no username, says so and exits with 3', async () => {
    const result = await run([], { env: { CHAT_SUPERUSER_PASSWORD: PASSWORD } });
    expect(result.code).toBe(3);
    expect(result.output).toContain('there is no terminal to ask for the username on');
    expect(result.output).not.toContain(PASSWORD);
  });

  it('refuses unknown options and two ways of giving the password with exit 2', async () => {
    expect((await run(['--pasword', PASSWORD])).code).toBe(2);
    const both = await run(['--username', 'both', '--password', PASSWORD, '--password-stdin'], { stdin: PASSWORD });
    expect(both.code).toBe(2);
    expect(both.output).not.toContain(PASSWORD);
  });
});
