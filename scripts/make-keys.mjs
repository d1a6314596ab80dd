// Writes the Ed25519 token key pair into <dir>/keys unless it is there (used by the compose stack).
import { chmodSync } from 'node:fs';
import { ensureDevKeyPair } from '@chat/service-kit';

const paths = ensureDevKeyPair(process.argv[2] ?? '/data');
// The services run as an unprivileged user that must read the private key from the shared volume.
chmodSync(paths.privateKey, 0o644);
console.log(`token keys ready: ${paths.publicKey}`);
