// `npm run createsuperuser -- --username NAME --password PASS`: an admin + staff account, like Django's.
// Works whether the stack is running or not: it writes to the auth database that `npm start` uses.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createSuperuser } from '@chat/auth';

const { values } = parseArgs({ options: { username: { type: 'string' }, password: { type: 'string' } } });
const dataDir = resolve(import.meta.dirname, '..', process.env.DATA_DIR ?? '.data');

async function ask(question, { hidden = false } = {}) {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    // Echo nothing while the password is typed.
    rl._writeToOutput = (s) => {
      if (s.startsWith(question)) process.stdout.write(question);
    };
  }
  const answer = await rl.question(question);
  rl.close();
  if (hidden) process.stdout.write('\n');
  return answer.trim();
}

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

const username = values.username ?? (await ask('Username: '));
let password = values.password;
if (!password) {
  password = await ask('Password: ', { hidden: true });
  if ((await ask('Password (again): ', { hidden: true })) !== password) {
    console.error('Error: the two passwords differ.');
    process.exit(1);
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
  console.error(`Error: ${err.message}`);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
