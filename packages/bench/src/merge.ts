#!/usr/bin/env node
/**
 * `node dist/merge.js <out> <dir> <dir> …`: one report from several runs' results.json, as if they were one run
 * with --repeat: their rounds together, the verdicts judged again, results.json and results.md written to <out>.
 * For scenarios too long to repeat within one sitting of a shared machine (small-rooms at full size takes about
 * four minutes a run).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdown } from './report/markdown.js';
import { judgeRounds, type Results } from './results.js';

const [out, ...dirs] = process.argv.slice(2);
if (!out || dirs.length === 0) {
  console.error('usage: node dist/merge.js <out> <dir> <dir> …');
  process.exit(2);
}
const runs = dirs.map((dir) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results);
const first = runs[0]!;
const merged: Results = {
  ...first,
  durationSec: runs.reduce((n, r) => n + r.durationSec, 0),
  errors: runs.flatMap((r) => r.errors),
  otherLoad: runs.flatMap((r) => r.otherLoad),
  rounds: runs.flatMap((r) => r.rounds),
  options: { ...first.options, repeat: runs.reduce((n, r) => n + r.rounds.length, 0) },
};
Object.assign(merged, judgeRounds(merged.rounds));
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'results.json'), `${JSON.stringify(merged, null, 2)}\n`);
writeFileSync(join(out, 'results.md'), markdown(merged));
console.log(`merged ${merged.rounds.length} runs from ${dirs.join(', ')} into ${out}`);
