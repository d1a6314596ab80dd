import { fileURLToPath } from 'node:url';

/** The monorepo root: this file is packages/test-kit/{src,dist}/paths.* */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
