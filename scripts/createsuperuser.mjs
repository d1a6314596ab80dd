// `npm run createsuperuser`: an admin + staff account, like Django's. Run with --help for the ways to give the
// password. Works whether the stack is running or not: it writes to the auth database that `npm start` uses.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { createSuperuser, passwordProblem, usernameProblem } from '@chat/auth';
import { read } from 'read';

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

function quit(code, message) {
  console.error(message);
  process.exit(code);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      username: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (err) {
  quit(EXIT.usage, `Error: ${err.message}\n\n${USAGE}`);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (values.password !== undefined && values['password-stdin'])
  quit(EXIT.usage, 'Error: give the password one way: --password or --password-stdin, not both.');

const terminal = process.stdin.isTTY === true;
if (values['password-stdin'] && terminal)
  quit(EXIT.usage, 'Error: --password-stdin reads a pipe or a file; in a terminal leave it out to be asked.');

/** Prompts on stderr (stdout is for the result) until the answer passes `check`; Ctrl-C quits. */
async function ask(prompt, check, { silent = false } = {}) {
  for (;;) {
    let answer;
    try {
      // terminal: true even when stderr is redirected, so that the terminal's own echo stays off.
      answer = await read({ prompt, silent, output: process.stderr, terminal: true });
    } catch {
      quit(EXIT.interrupted, '');
    }
    // The muted Enter moved no line.
    if (silent) process.stderr.write('\n');
    const problem = check(answer);
    if (!problem) return answer;
    console.error(`${problem}; try again, or Ctrl-C to quit.`);
  }
}

function noTerminal(what) {
  const how =
    what === 'username'
      ? 'Give it with --username NAME, and the password with --password-stdin or the'
      : 'Give it with --password-stdin (e.g. ... --password-stdin < file-with-the-password) or the';
  quit(
    EXIT.noTerminal,
    `Error: there is no terminal to ask for the ${what} on (standard input is not a terminal).\n` +
      `${how} ${PASSWORD_ENV} environment variable; npm run createsuperuser -- --help says more.`,
  );
}

function checked(problem) {
  if (problem) quit(EXIT.notCreated, `Error: ${problem}.`);
}

let username = values.username;
if (username === undefined) {
  if (!terminal) noTerminal('username');
  username = await ask('Username: ', usernameProblem);
}
checked(usernameProblem(username));

let password;
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
  password = await ask('Password: ', passwordProblem, { silent: true });
  const again = await ask('Password (again): ', () => undefined, { silent: true });
  if (again !== password) quit(EXIT.notCreated, 'Error: the two passwords differ; nothing was created.');
}
checked(passwordProblem(password));

const dataDir = resolve(import.meta.dirname, '..', process.env.DATA_DIR ?? '.data');

function runningStack() {
  const file = join(dataDir, 'stack.json');
  if (!existsSync(file)) return undefined;
  const stack = JSON.parse(readFileSync(file, 'utf8'));
  try {
    process.kill(stack.pid, 0);
    return stack;
  } catch {
    return undefined;
  }
}

let databaseUrl = process.env.DATABASE_URL ?? runningStack()?.authDatabaseUrl;
let embedded;
if (!databaseUrl) {
  const port = await new Promise((done) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
  // Only a local run without a database server needs the embedded one.
  const { startEmbeddedPostgres } = await import('./embedded-postgres.mjs');
  embedded = await startEmbeddedPostgres(dataDir, 'auth', port);
  databaseUrl = embedded.url;
}
try {
  await createSuperuser(databaseUrl, username, password);
  console.log(`Superuser ${username} created.`);
} catch (err) {
  // A ChatError says what is wrong with the account (e.g. a taken name); anything else is the database's.
  const where = new URL(databaseUrl);
  where.password = '';
  const why = err.name === 'ChatError' ? err.message : `the auth database at ${where} failed: ${err.message}`;
  console.error(`Error: ${why.replace(/\.?$/, '.')}`);
  process.exitCode = EXIT.notCreated;
} finally {
  await embedded?.stop();
}
