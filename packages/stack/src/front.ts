/**
 * The front on loopback: Debian's nginx (or NGINX_BIN) running deploy/front/nginx.conf, the compose stack's own
 * file, with the environment's two include files (the gateways; listen, root and logs) written into a temporary
 * folder that is also its prefix.
 */
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { freePort, portAccepts } from './ports.js';
import { type LogTarget, StackProcess } from './stack-process.js';

export interface FrontOptions {
  /** The gateways' base URLs (http://127.0.0.1:PORT), spread over as the compose stack's are. */
  gateways: string[];
  /** Defaults to a free port of 127.0.0.1. */
  port?: number;
  /** The web client's files; web/dist of the checkout by default. */
  webRoot?: string;
  /** Where nginx's error log goes (memory by default); the access log is access.log in its folder. */
  logs?: LogTarget;
  detached?: boolean;
}

export interface Front {
  /** http://127.0.0.1:PORT: the origin browsers use, which the gateways' ALLOWED_ORIGINS must name. */
  url: string;
  port: number;
  process: StackProcess;
  /** Stops nginx (SIGTERM: open sockets are cut) and removes its folder. */
  stop(): Promise<void>;
}

export const frontConfig = join(repoRoot, 'deploy', 'front', 'nginx.conf');
const bin = process.env.NGINX_BIN ?? 'nginx';
const START_TIMEOUT_MS = 10_000;

/** The origins the front serves, as the gateways behind it must list them in ALLOWED_ORIGINS. */
export function frontOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

function gatewaysInclude(gateways: string[]): string {
  return gateways.map((url) => `server ${new URL(url).host};\n`).join('');
}

function siteInclude(dir: string, port: number, webRoot: string): string {
  const socketOrigins = frontOrigins(port).map((origin) => origin.replace(/^http/, 'ws'));
  return [
    `listen 127.0.0.1:${port};`,
    `root ${webRoot};`,
    `set $socket_origins "${socketOrigins.join(' ')}";`,
    // Debian's build puts these under /var, which only root may write: everything stays in the prefix. (Not
    // /dev/stderr for the access log: the launcher's pipe to nginx is a socket, which cannot be opened by name.)
    `access_log ${join(dir, 'access.log')};`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(dir, 'temp', t)};`),
    '',
  ].join('\n');
}

export async function startFront(options: FrontOptions): Promise<Front> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'chat-front-'));
  // Copied rather than referred to: nginx reads its includes relative to the folder of the file it is given.
  const config = join(dir, 'nginx.conf');
  copyFileSync(frontConfig, config);
  mkdirSync(join(dir, 'front-env'));
  mkdirSync(join(dir, 'temp'));
  writeFileSync(join(dir, 'front-env', 'gateways.conf'), gatewaysInclude(options.gateways));
  writeFileSync(
    join(dir, 'front-env', 'site.conf'),
    siteInclude(dir, port, options.webRoot ?? join(repoRoot, 'web', 'dist')),
  );
  // Started as root, nginx would hand its workers to nobody, who may not read the checkout; it runs as whoever
  // runs the stack, as every other process of the stack does. The folder is readable by them either way.
  chmodSync(dir, 0o755);
  const user = process.getuid?.() === 0 ? `user ${userInfo().username};` : '';
  const globals = `daemon off; master_process on; pid ${join(dir, 'nginx.pid')}; error_log stderr warn; ${user}`;
  const proc = await StackProcess.spawn({
    label: 'front',
    command: bin,
    args: ['-p', dir, '-c', config, '-g', globals],
    // nginx lives in /usr/sbin, which a user's PATH may lack.
    env: { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin` },
    logs: options.logs ?? 'memory',
    detached: options.detached ?? false,
  }).catch((err: Error) => {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${err.message}; install nginx (apt-get install nginx) or set NGINX_BIN`);
  });
  const stop = async () => {
    await proc.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await proc.waitUntil('listening', () => portAccepts(port), START_TIMEOUT_MS);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: `http://127.0.0.1:${port}`, port, process: proc, stop };
}
