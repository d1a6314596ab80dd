import { fileURLToPath } from 'node:url';

export const paths = {
  /** The repository root, seen from packages/bench/dist. */
  repoRoot: fileURLToPath(new URL('../../../', import.meta.url)),
  /** This package's built files. */
  dist: fileURLToPath(new URL('./', import.meta.url)),
};
