/**
 * Signing keys from configuration: inline PEM (JWT_*_KEY) or a file (JWT_*_KEY_FILE). In development, when
 * nothing is configured, one Ed25519 pair is generated and kept in the data folder so that every service
 * started from the same folder agrees on it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface KeySources {
  inline?: string | undefined;
  file?: string | undefined;
}

export function devKeyPaths(dataDir: string): { privateKey: string; publicKey: string } {
  return { privateKey: join(dataDir, 'keys', 'jwt-private.pem'), publicKey: join(dataDir, 'keys', 'jwt-public.pem') };
}

/** Creates the development key pair in dataDir unless it is there already. */
export function ensureDevKeyPair(dataDir: string): { privateKey: string; publicKey: string } {
  const paths = devKeyPaths(dataDir);
  if (!existsSync(paths.privateKey) || !existsSync(paths.publicKey)) {
    const pair = generateKeyPairSync('ed25519');
    mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    writeFileSync(paths.privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(paths.publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }));
  }
  return paths;
}

/** Reads a key from its inline value or file; `undefined` when neither is set. */
export function readKey(sources: KeySources): string | undefined {
  if (sources.inline) return sources.inline.replace(/\\n/g, '\n');
  if (sources.file) return readFileSync(sources.file, 'utf8');
  return undefined;
}
