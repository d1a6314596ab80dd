import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** Screenshots and service logs of the last run (gitignored). */
export const artifactsDir = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
