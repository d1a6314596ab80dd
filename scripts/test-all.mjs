// `npm test`: every workspace's tests through turbo, then one pass/fail count over all of them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const workspaces = ['packages', 'services']
  .flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name)))
  .concat(join(root, 'web'));
const resultFiles = workspaces.map((dir) => join(dir, 'test-results.json'));
for (const file of resultFiles) rmSync(file, { force: true });

const turbo = spawnSync('npx', ['turbo', 'run', 'test', '--concurrency=2', ...process.argv.slice(2)], {
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
      .padEnd(22)} ${result.numPassedTests} passed, ${result.numFailedTests} failed`,
  );
}
console.log(`\nTest summary\n${lines.join('\n')}\n  total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const ok = turbo.status === 0 && failed === 0 && skipped === 0 && passed > 0;
if (!ok) console.log('FAILED');
process.exit(ok ? 0 : 1);
