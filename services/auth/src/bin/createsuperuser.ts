/**
 * The auth service's createsuperuser command: an admin + staff account in the auth database at DATABASE_URL,
 * like Django's. `npm run createsuperuser` finds the database of `npm start` and runs this; the compose stack
 * runs it in the auth image. Run with --help for the ways to give the password.
 */
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { read } from 'read';
import { createSuperuser, passwordProblem, usernameProblem } from '../users/superuser.js';

const PASSWORD_ENV = 'CHAT_SUPERUSER_PASSWORD';
const EXIT = { notCreated: 1, usage: 2, noTerminal: 3, interrupted: 130 };
const USAGE = `Usage: npm run createsuperuser -- [--username NAME] [--password-stdin]

Makes an admin + staff account in the auth database of \`npm start\` (running or not), or in DATABASE_URL.
Asks for what is missing when run in a terminal; the password is typed without being shown.

  --username NAME           the account's name: letters, digits and _ . @ + -
  --password-stdin          read the password from standard input (a pipe or a file), e.g.
                              printf '%s' "$PASS" | npm run createsuperuser -- --username admin --password-stdin
  ${PASSWORD_ENV}   (environment variable) the password, for scripts
  --password PASS           works too, but shows the password on screen (npm prints the command it runs)
                            and keeps it in your shell history

Exit status: 0 created; ${EXIT.notCreated} not created (invalid name or password, name taken, database unreachable);
${EXIT.usage} wrong options; ${EXIT.noTerminal} no terminal to ask on and nothing given another way.`;

function quit(code: number, message: string): never {
  console.error(message);
  process.exit(code);
}

function options() {
  try {
    return parseArgs({
      options: {
        username: { type: 'string' },
        password: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (err) {
    return quit(EXIT.usage, `Error: ${(err as Error).message}\n\n${USAGE}`);
  }
}

/** Prompts on stderr (stdout is for the result) until the answer passes `check`; Ctrl-C quits. */
async function ask(prompt: string, check: (answer: string) => string | undefined, silent = false): Promise<string> {
  for (;;) {
    let answer: string;
    try {
      // terminal: true even when stderr is redirected, so that the terminal's own echo stays off.
      answer = await read({ prompt, silent, output: process.stderr, terminal: true });
    } catch {
      return quit(EXIT.interrupted, '');
    }
    // The muted Enter moved no line.
    if (silent) process.stderr.write('\n');
    const problem = check(answer);
    if (!problem) return answer;
    console.error(`${problem}; try again, or Ctrl-C to quit.`);
  }
}

function noTerminal(what: 'username' | 'password'): never {
  const how =
    what === 'username'
      ? 'Give it with --username NAME, and the password with --password-stdin or the'
      : 'Give it with --password-stdin (e.g. ... --password-stdin < file-with-the-password) or the';
  return quit(
    EXIT.noTerminal,
    `Error: there is no terminal to ask for the ${what} on (standard input is not a terminal).\n` +
      `${how} ${PASSWORD_ENV} environment variable; npm run createsuperuser -- --help says more.`,
  );
}

function checked(problem: string | undefined): void {
  if (problem) quit(EXIT.notCreated, `Error: ${problem}.`);
}

const values = options();
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.password !== undefined && values['password-stdin'])
  quit(EXIT.usage, 'Error: give the password one way: --password or --password-stdin, not both.');
const terminal = process.stdin.isTTY === true;
if (values['password-stdin'] && terminal)
  quit(EXIT.usage, 'Error: --password-stdin reads a pipe or a file; in a terminal leave it out to be asked.');
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl)
  quit(
    EXIT.usage,
    'Error: set DATABASE_URL to the auth database (npm run createsuperuser finds the one of npm start).',
  );

let username = values.username;
if (username === undefined) {
  if (!terminal) noTerminal('username');
  username = await ask('Username: ', usernameProblem);
}
checked(usernameProblem(username));

let password: string;
if (values.password !== undefined) {
  console.error('Warning: --password shows the password on screen and keeps it in shell history; see --help.');
  password = values.password;
} else if (values['password-stdin']) {
  // One trailing newline is the end of the line, not part of the password (as `docker login --password-stdin`).
  password = (await text(process.stdin)).replace(/\r?\n$/, '');
} else if (process.env[PASSWORD_ENV] !== undefined) {
  password = process.env[PASSWORD_ENV];
} else {
  if (!terminal) noTerminal('password');
  password = await ask('Password: ', passwordProblem, true);
  const again = await ask('Password (again): ', () => undefined, true);
  if (again !== password) quit(EXIT.notCreated, 'Error: the two passwords differ; nothing was created.');
}
checked(passwordProblem(password));

try {
  await createSuperuser(databaseUrl, username, password);
  console.log(`Superuser ${username} created.`);
} catch (err) {
  // A ChatError says what is wrong with the account (e.g. a taken name); anything else is the database's.
  const where = new URL(databaseUrl);
  where.password = '';
  const { name, message } = err as Error;
  const why = name === 'ChatError' ? message : `the auth database at ${where} failed: ${message}`;
  console.error(`Error: ${why.replace(/\.?$/, '.')}`);
  process.exitCode = EXIT.notCreated;
}
