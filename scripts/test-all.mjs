// `npm test`: every workspace's tests through turbo, then one pass/fail count over all of them. The suites that
// touch a database run twice: on the Postgres server at DATABASE_URL (task `test`) and on the embedded Postgres
// that `npm start` uses by default (task `test:embedded`). `npm test -- --database=embedded` (or `postgres`) runs
// one side only; other arguments go to turbo (e.g. `--filter=@chat/rooms`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const workspaces = ['packages', 'services']
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)))
  .concat(join(root, 'web'));
const sides = { postgres: 'test', embedded: 'test:embedded' };
const databaseArg = process.argv.slice(2).find((arg) => arg.startsWith('--database='));
const side = databaseArg?.slice('--database='.length);
if (side !== undefined && !(side in sides)) {
  console.error(`--database must be one of ${Object.keys(sides).join(', ')}`);
  process.exit(2);
}
const tasks = side ? [sides[side]] : Object.values(sides);
const turboArgs = process.argv.slice(2).filter((arg) => arg !== databaseArg);
const resultFiles = workspaces.flatMap((dir) => [
  join(dir, 'test-results.json'),
  join(dir, 'test-results-embedded.json'),
]);
for (const file of resultFiles) rmSync(file, { force: true });

const turbo = spawnSync('npx', ['turbo', 'run', ...tasks, '--concurrency=2', ...turboArgs], {
  cwd: root,
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const file of resultFiles) {
  if (!existsSync(file)) continue;
  const result = JSON.parse(readFileSync(file, 'utf8'));
  passed += result.numPassedTests;
  failed += result.numFailedTests;
  skipped += result.numPendingTests + (result.numTodoTests ?? 0);
  lines.push(
    `  ${file
      .slice(root.length + 1)
      .replace('/test-results.json', '')
      .replace('/test-results-embedded.json', ' (embedded)')
      .padEnd(33)} ${result.numPassedTests} passed, ${result.numFailedTests} failed`,
  );
}
console.log(`\nTest summary\n${lines.join('\n')}\n  total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const ok = turbo.status === 0 && failed === 0 && skipped === 0 && passed > 0;
if (!ok) console.log('FAILED');
process.exit(ok ? 0 : 1);
