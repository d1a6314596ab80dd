// `npm run createsuperuser`: the auth service's createsuperuser command (services/auth/src/bin/createsuperuser.ts,
// which takes the options: --help lists them) against the auth database that `npm start` uses, running or not,
// or against DATABASE_URL when it is set.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createSuperuserCommand, startEmbeddedDatabase } from '@chat/stack';

const dataDir = resolve(import.meta.dirname, '..', process.env.DATA_DIR ?? '.data');

/** stack.json of a running `npm start` in this data folder: it names the port its auth database is served on. */
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

const args = process.argv.slice(2);
const wantsHelp = args.includes('--help') || args.includes('-h');
let databaseUrl = process.env.DATABASE_URL ?? runningStack()?.authDatabaseUrl;
let embedded;
if (!databaseUrl && !wantsHelp) {
  // Only a local run without a database server needs the embedded one, served from here while the command runs.
  embedded = await startEmbeddedDatabase(dataDir, 'auth');
  databaseUrl = embedded.url;
}
// A Ctrl-C at a prompt reaches the command too (one terminal, one process group); it ends, then this closes.
process.on('SIGINT', () => {});
const command = spawn(process.execPath, [createSuperuserCommand(), ...args], {
  env: { ...process.env, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}) },
  stdio: 'inherit',
});
const [code, signal] = await new Promise((done) => command.once('exit', (...exit) => done(exit)));
await embedded?.stop();
process.exit(code ?? (signal === 'SIGINT' ? 130 : 1));
