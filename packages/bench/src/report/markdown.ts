/** results.md: the summary table the README quotes, the targets, and every ramp step. */
import { fmt, kib, medianAndSpread, type Results } from '../results.js';
import { cpuShares, type StepResult } from '../scenarios/context.js';
import { clusterSections } from './cluster.js';

export function markdown(results: Results): string {
  const { scenarios: s, machine: m } = results;
  const lines: string[] = [];
  lines.push(`# Bench results`, '');
  lines.push(
    `${results.startedAt} · ${m.cpus} × ${m.cpu} · ${m.memoryGiB} GiB · Node ${m.node} · ${m.os} · ` +
      `scale ${results.options.scale}${results.options.quick ? ' (quick)' : ''} · ${results.options.workers} generator ` +
      `processes · ${results.options.stepMs} ms steps · ${results.durationSec} s`,
    '',
    `${results.pinning[0]?.toUpperCase()}${results.pinning.slice(1)}.${
      results.rounds.length > 1
        ? ` ${results.rounds.length} runs of every scenario: each verdict is the median run's, with every run's ratio beside it.`
        : ''
    }`,
    '',
  );
  const busy = results.otherLoad.filter((l) => l.share >= 0.1);
  if (busy.length > 0) {
    lines.push(
      `Other processes were using this machine (share of all cores during ${busy
        .map((l) => `${l.run}: ${Math.round(l.share * 100)} %`)
        .join(', ')}): absolute numbers are lower and noisier than on an idle machine.`,
      '',
    );
  }
  lines.push(summaryTable(results), '');
  lines.push('## Targets', '', '| scenario | goal | measured | ratio | result |', '|---|---|---|---|---|');
  for (const t of results.targets) {
    lines.push(
      `| ${t.scenario} | ${t.goal} | ${t.measured} | ${t.ratio ?? '—'} | ${t.pass === null ? 'n/a' : t.pass ? 'PASS' : 'FAIL'} |`,
    );
  }
  const spread = results.targets.filter((t) => t.runs);
  if (spread.length > 0) {
    lines.push('', '## Every run', '', '| scenario | ratio per run | median (min–max) | passed |', '|---|---|---|---|');
    for (const t of spread) {
      const ratios = t.runs?.ratios ?? [];
      const known = ratios.filter((r): r is number => r !== null);
      lines.push(
        `| ${t.scenario} | ${ratios.map((r) => r ?? '—').join(', ')} | ${medianAndSpread(known)} | ${t.runs?.passed} of ${ratios.length} |`,
      );
    }
  }
  const cpu = results.targets.flatMap((t) => (t.cpuAtFirstStep ?? []).map((c) => ({ scenario: t.scenario, ...c })));
  if (cpu.length > 0) {
    lines.push(
      '',
      '## Server CPU at equal offered load',
      '',
      "At the ramp's first step, offered at the same rate to both targets and in every run.",
      '',
      '| scenario | target | offered sends/s | server CPU µs per message: median (min–max) |',
      '|---|---|---|---|',
    );
    for (const c of cpu)
      lines.push(`| ${c.scenario} | ${c.target} | ${fmt(c.offered)} | ${medianAndSpread(c.usPerMessage)} |`);
  }
  lines.push(...clusterSections(results));
  if (results.errors.length > 0) {
    lines.push('', '## Errors', '');
    for (const e of results.errors) lines.push(`- ${e.scenario} / ${e.target}: ${e.error.split('\n')[0]}`);
  }
  if (s.fanout) {
    lines.push('', '## Fanout ramp', '', stepHeader('delivered/s', 'delivery'));
    for (const [target, r] of Object.entries(s.fanout))
      for (const step of r.steps) lines.push(stepRow(target, step, 'delivery'));
  }
  if (s.persistence) {
    lines.push('', '## Persistence ramp', '', stepHeader('committed/s', 'ack'));
    for (const [target, r] of Object.entries(s.persistence))
      for (const step of r.steps) lines.push(stepRow(target, step, 'ack'));
  }
  return `${lines.join('\n')}\n`;
}

export function summaryTable(results: Results): string {
  const { scenarios: s } = results;
  const rows: string[][] = [];
  const ratio = (stack: number | undefined | null, floor: number | undefined | null) =>
    stack !== undefined && stack !== null && floor ? `${(stack / floor).toFixed(2)}×` : '—';
  const lat = (l?: { p50: number; p99: number; max: number } | null) => (l ? `${l.p50} / ${l.p99} / ${l.max}` : '—');

  if (s.fanout) {
    const { floor, stack } = s.fanout;
    const shape = floor ?? stack;
    const label = shape
      ? ` (${shape.connections} conns, ${shape.rooms} rooms × ${shape.membersPerRoom}, ${shape.senders} senders)`
      : '';
    rows.push([
      `fanout${label}`,
      'highest held delivery rate, msgs/s',
      fmt(floor?.held?.deliveredPerSec),
      fmt(stack?.held?.deliveredPerSec),
      ratio(stack?.held?.deliveredPerSec, floor?.held?.deliveredPerSec),
    ]);
    rows.push([
      '',
      'latency at that rate p50 / p99 / max, ms',
      lat(floor?.held?.latency),
      lat(stack?.held?.latency),
      '',
    ]);
    rows.push([
      '',
      'server CPU per delivered message at that rate, µs',
      floor?.held ? `${floor.held.cpuUsPerMessage}` : '—',
      stack?.held ? `${stack.held.cpuUsPerMessage} (${cpuShares(stack.held.cpuMs)})` : '—',
      ratio(stack?.held?.cpuUsPerMessage, floor?.held?.cpuUsPerMessage),
    ]);
  }
  if (s.idle) {
    const { floor, stack } = s.idle;
    const shape = floor ?? stack;
    rows.push([
      `idle${shape ? ` (${shape.connections} conns × ${shape.roomsPerConnection} rooms)` : ''}`,
      'RSS per connection, KiB (socket process)',
      kib(floor?.bytesPerConnection),
      kib(stack?.bytesPerConnection),
      ratio(stack?.bytesPerConnection, floor?.bytesPerConnection),
    ]);
  }
  if (s.storm) {
    const { floor, stack } = s.storm;
    const shape = floor ?? stack;
    const label = shape
      ? ` (${shape.clients} clients × ${shape.roomsPerClient} rooms of ${shape.rooms}, ${shape.historyPerRoom} history)`
      : '';
    rows.push([
      `join storm${label}`,
      'time until all joined, ms',
      fmt(floor?.allInMs),
      fmt(stack?.allInMs),
      ratio(stack?.allInMs, floor?.allInMs),
    ]);
    rows.push(['', 'join p50 / p99 / max, ms', lat(floor?.join), lat(stack?.join), '']);
    rows.push([
      '',
      'joined',
      floor ? `${floor.joined}/${floor.joins}` : '—',
      stack ? `${stack.joined}/${stack.joins}` : '—',
      '',
    ]);
    rows.push([
      '',
      'server CPU per join attempted (handshake included), µs',
      floor ? `${floor.cpuUsPerJoin}` : '—',
      stack ? `${stack.cpuUsPerJoin} (${cpuShares(stack.cpuMs)})` : '—',
      ratio(stack?.cpuUsPerJoin, floor?.cpuUsPerJoin),
    ]);
  }
  if (s.persistence) {
    const { floor, stack } = s.persistence;
    rows.push([
      `persistence${stack ? ` (${stack.senders} senders)` : ''}`,
      'committed msgs/s (highest held)',
      fmt(floor?.held?.ackedPerSec),
      fmt(stack?.held?.ackedPerSec),
      '',
    ]);
    rows.push(['', 'send ack p50 / p99 / max, ms', lat(floor?.held?.ack), lat(stack?.held?.ack), '']);
    rows.push([
      '',
      'server CPU per committed message, µs',
      '—',
      stack?.held ? `${stack.held.cpuUsPerMessage} (${cpuShares(stack.held.cpuMs)})` : '—',
      '',
    ]);
  }
  return [
    '| scenario | metric | floor | stack | stack / floor |',
    '|---|---|---:|---:|---:|',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function stepHeader(rate: string, kind: 'delivery' | 'ack'): string {
  const latency = kind === 'delivery' ? 'delivery p50 / p99 / max ms' : 'ack p50 / p99 / max ms';
  return [
    `| target | offered sends/s | ${rate} | ${latency} | lost | server CPU µs/msg | generator ELU | result |`,
    '|---|---:|---:|---|---:|---:|---|---|',
  ].join('\n');
}

function stepRow(target: string, step: StepResult, kind: 'delivery' | 'ack'): string {
  const l = kind === 'delivery' ? step.latency : step.ack;
  const rate = kind === 'delivery' ? step.deliveredPerSec : step.ackedPerSec;
  return `| ${target} | ${fmt(step.offered)} | ${fmt(rate)} | ${l.p50} / ${l.p99} / ${l.max} | ${step.lost} | ${step.cpuUsPerMessage} | ${step.generatorElu.join(' / ')} | ${step.held ? 'held' : step.reason} |`;
}
