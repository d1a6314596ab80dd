/**
 * A private Postgres cluster for tests that stop and restart the database (the shared one on 5432 serves
 * other suites and must never be restarted). Uses Debian's server binaries (/usr/lib/postgresql/<v>/bin)
 * run as the `postgres` OS user when we are root, trust authentication, a temporary data folder.
 */
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export type PostgresStopMode = 'smart' | 'fast' | 'immediate';

export interface PostgresServerHandle {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  port: number;
  /** Stops the server: `immediate` is a crash (recovery from WAL at the next start), `fast` a clean stop. */
  stop(mode?: PostgresStopMode): Promise<void>;
  start(): Promise<void>;
  /** Stops, stays down for `downMs`, starts again on the same port with the same data. */
  restart(options?: { downMs?: number; mode?: PostgresStopMode }): Promise<void>;
  /** The server's log so far. */
  log(): string;
  /** Stops the server and deletes its data. */
  cleanup(): Promise<void>;
}

/** The newest installed server's bin folder, or PG_BIN_DIR. */
export function postgresBinDir(): string {
  if (process.env.PG_BIN_DIR) return process.env.PG_BIN_DIR;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) {
    throw new Error(
      'no Postgres server binaries in /usr/lib/postgresql; apt-get install postgresql, or set PG_BIN_DIR',
    );
  }
  return join(base, versions[0], 'bin');
}

export async function startPostgresServer(): Promise<PostgresServerHandle> {
  const bin = postgresBinDir();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync('/tmp/chat-pg-');
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  // Postgres refuses to run as root: the cluster belongs to the postgres user.
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gids = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
  }
  const command = (tool: string, args: string[]) =>
    asRoot
      ? (['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] as const)
      : ([join(bin, tool), args] as const);
  const exec = async (tool: string, args: string[]) => {
    const [file, argv] = command(tool, args);
    try {
      await run(file, [...argv], { cwd: dir, timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; stdout?: string; message: string };
      throw new Error(`${tool} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}\n${readLog(logFile)}`);
    }
  };

  await exec('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
  const port = await freePort();
  const serverOptions = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c max_connections=60',
    '-c shared_buffers=16MB',
    // A crash of this server is simulated with `immediate`, not a machine crash: WAL reaches the OS either way.
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ');

  const start = () => exec('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', serverOptions]);
  const stop = async (mode: PostgresStopMode = 'fast') => {
    if (!existsSync(join(data, 'postmaster.pid'))) return;
    await exec('pg_ctl', ['stop', '-D', data, '-m', mode, '-w', '-t', '60']);
  };
  // Never leave a server behind, even when the test process ends without cleanup.
  const onExit = () => {
    const [file, argv] = command('pg_ctl', ['stop', '-D', data, '-m', 'immediate']);
    if (existsSync(join(data, 'postmaster.pid'))) spawnSync(file, [...argv], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  try {
    await start();
  } catch (err) {
    onExit();
    process.off('exit', onExit);
    throw err;
  }

  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    async restart({ downMs = 0, mode = 'fast' } = {}) {
      await stop(mode);
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    log: () => readLog(logFile),
    async cleanup() {
      await stop('immediate').catch(() => {});
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
