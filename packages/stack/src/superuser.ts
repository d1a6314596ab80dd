/**
 * The first admin, made as an operator makes it: the auth service's createsuperuser command, run as a process,
 * the password on its standard input. Nothing here imports the auth service.
 */
import { spawn } from 'node:child_process';
import { serviceScript } from './paths.js';

export interface SuperuserOptions {
  /** The auth database the account goes into. */
  databaseUrl: string;
  username: string;
  password: string;
}

/** The auth service's command: `node services/auth/dist/bin/createsuperuser.js`. */
export function createSuperuserCommand(): string {
  return serviceScript('auth', 'bin/createsuperuser.js');
}

export async function createSuperuser({ databaseUrl, username, password }: SuperuserOptions): Promise<void> {
  const child = spawn(process.execPath, [createSuperuserCommand(), '--username', username, '--password-stdin'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATABASE_URL: databaseUrl },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.end(password);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`createsuperuser ${username} failed (exit ${code}): ${output.trim()}`);
}
