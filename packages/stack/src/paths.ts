import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: this file is packages/stack/{src,dist}/paths.* */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The names of the services under services/, in the order they start. */
export type ServiceName = 'auth' | 'rooms' | 'gateway';

/** A built entry point of a service (dist/server.js, dist/cli/…), or an error saying to build first. */
export function serviceScript(service: ServiceName, file = 'server.js'): string {
  const script = join(repoRoot, 'services', service, 'dist', file);
  if (!existsSync(script)) throw new Error(`${script} is missing; build first: npx turbo run build`);
  return script;
}
