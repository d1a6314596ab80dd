/**
 * results.md's sections for the scaled-out comparisons (fanout-cluster, idle-cluster, small-rooms): every
 * figure as the median over the runs with the lowest and highest beside it.
 */
import { medianAndSpread, type Results, type ScenarioResults } from '../results.js';
import type { TargetName } from '../targets/target.js';

type Rounds = Results['rounds'];

/** Each run's result of a scenario on a target, in run order. */
function runsOf<K extends keyof ScenarioResults>(
  rounds: Rounds,
  scenario: K,
  target: TargetName,
): ScenarioResults[K][] {
  return rounds.flatMap((round) => {
    const result = round[scenario]?.[target];
    return result ? [result as ScenarioResults[K]] : [];
  });
}

/** Median (min–max) of the figures the runs have (results from before a field existed lack it). */
const m = (values: (number | undefined)[], digits = 2) =>
  medianAndSpread(
    values.filter((v): v is number => typeof v === 'number'),
    digits,
  );
const label = (target: TargetName) => (target === 'cluster' ? '3 gateways, 3 NATS nodes' : '1 gateway, 1 NATS');

export function clusterSections(results: Results): string[] {
  const lines: string[] = [];
  const { rounds } = results;
  const fanout = (['stack', 'cluster'] as const).map((t) => ({ t, runs: runsOf(rounds, 'fanout-cluster', t) }));
  if (fanout.some((f) => f.runs.length > 0)) {
    const shape = fanout.find((f) => f.runs[0])?.runs[0];
    lines.push(
      '',
      '## Fanout: one gateway against three',
      '',
      `${shape?.connections} connections in ${shape?.rooms} rooms of ${shape?.membersPerRoom}, ${shape?.senders} senders, ` +
        `clients dealt over the gateways round-robin; each rate offered to both in turn. Median (min–max) over ` +
        `${Math.max(...fanout.map((f) => f.runs.length))} runs. Gateway CPU is summed over the gateways, NATS CPU over the nodes.`,
      '',
      'Beyond idle: less what each part uses with the clients connected and nothing sent (measured before the steps, ' +
        'below), so the messages’ own cost.',
      '',
      '| offered sends/s | target | delivered/s | p50 / p99 ms | gateways µs per delivery | … beyond idle | NATS µs per message | … beyond idle | all servers µs per message | … beyond idle | held |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    const rates = shape?.steps.map((s) => s.offered) ?? [];
    for (const [i, offered] of rates.entries()) {
      for (const { t, runs } of fanout) {
        const steps = runs.flatMap((r) => (r.steps[i] ? [r.steps[i]] : []));
        if (steps.length === 0) continue;
        const cell = (f: (s: (typeof steps)[number]) => number | undefined, digits = 2) => m(steps.map(f), digits);
        const cells = [
          String(offered),
          label(t),
          cell((s) => s.deliveredPerSec, 0),
          `${cell((s) => s.latency.p50, 0)} / ${cell((s) => s.latency.p99, 0)}`,
          cell((s) => s.gatewayUsPerDelivery),
          cell((s) => s.gatewayNetUsPerDelivery),
          cell((s) => s.natsUsPerMessage),
          cell((s) => s.natsNetUsPerMessage),
          cell((s) => s.serverUsPerMessage),
          cell((s) => s.serverNetUsPerMessage),
          `${steps.filter((s) => s.held).length} of ${steps.length}`,
        ];
        lines.push(`| ${cells.join(' | ')} |`);
      }
    }
  }

  if (fanout.some((f) => f.runs.some((r) => r.idleCpuMsPerSec))) {
    lines.push('', '| target | idle CPU ms per second, by part (median over runs) |', '|---|---|');
    for (const { t, runs } of fanout) lines.push(`| ${label(t)} | ${idleParts(runs.map((r) => r.idleCpuMsPerSec))} |`);
  }

  const idle = (['stack', 'cluster'] as const).map((t) => ({ t, runs: runsOf(rounds, 'idle-cluster', t) }));
  if (idle.some((f) => f.runs.length > 0)) {
    const shape = idle.find((f) => f.runs[0])?.runs[0];
    lines.push(
      '',
      '## Idle connections per gateway',
      '',
      `${shape?.connections} connections × ${shape?.roomsPerConnection} rooms of ${shape?.rooms}, dealt over the gateways. ` +
        'RSS growth per connection of each gateway over the connections it holds (all gateways of all runs: ' +
        'median, min–max); NATS: subscriptions the gateways hold (summed) and every node’s subscription list.',
      '',
      '| target | connections per gateway | KiB per connection per gateway | gateway RSS after, MiB | NATS subscriptions of the gateways | per node’s list | NATS RSS growth, MiB |',
      '|---|---|---|---|---|---|---|',
    );
    for (const { t, runs } of idle) {
      if (runs.length === 0) continue;
      const gateways = runs.flatMap((r) => r.perGateway);
      lines.push(
        `| ${label(t)} | ${gateways[0]?.connections} | ${m(
          gateways.map((g) => g.bytesPerConnection / 1024),
          1,
        )} | ${m(
          gateways.map((g) => g.rssAfterBytes / 2 ** 20),
          0,
        )} | ${m(
          runs.map((r) => r.natsSubscriptions?.byClient.gateway ?? 0),
          0,
        )} | ${m(
          runs.flatMap((r) => r.natsSubscriptions?.perNode ?? []),
          0,
        )} | ${m(
          runs.map((r) => ((r.natsRssAfterBytes ?? 0) - (r.natsRssBeforeBytes ?? 0)) / 2 ** 20),
          1,
        )} |`,
      );
    }
  }

  const small = runsOf(rounds, 'small-rooms', 'cluster');
  if (small.length > 0) {
    const s = small[0]!;
    const row = (what: string, values: (number | undefined)[], digits = 0) =>
      lines.push(`| ${what} | ${m(values, digits)} |`);
    lines.push(
      '',
      '## Many small rooms (3 gateways, 3 NATS nodes)',
      '',
      `${s.rooms} rooms of ${s.membersPerRoom.join(' or ')} members, ${s.connections} connections × ${s.roomsPerConnection} rooms ` +
        `(${s.joins} joins), dealt over ${s.gateways} gateways; rooms with a member per gateway: ${s.roomsPerGateway.join(', ')}. ` +
        `Median (min–max) over ${small.length} runs; "per gateway" pools every gateway of every run.`,
      '',
      '| metric | value |',
      '|---|---|',
    );
    row(
      'rooms made (REST, 8 at a time), ms',
      small.map((r) => r.createMs),
    );
    row(
      'connect and join all, ms',
      small.map((r) => r.joinAllMs),
    );
    row(
      'join p50, ms',
      small.map((r) => r.joinP50Ms),
      1,
    );
    row(
      'join p99, ms',
      small.map((r) => r.joinP99Ms),
      1,
    );
    row(
      'server CPU per join (all parts), µs',
      small.map((r) => r.joinCpuUsPerJoin),
    );
    for (const part of ['gateway', 'nats', 'rooms', 'postgres', 'auth'])
      row(
        `… of which ${part}, µs per join`,
        small.map((r) => ((r.joinCpuMs[part] ?? 0) * 1000) / r.joins),
      );
    row(
      'gateway CPU over all joins, ms per gateway',
      small.flatMap((r) => r.joinCpuMsPerGateway),
    );
    row(
      'gateway RSS before clients, MiB per gateway',
      small.flatMap((r) => r.perGateway.map((g) => g.rssBeforeBytes / 2 ** 20)),
      1,
    );
    row(
      'gateway RSS after joins, MiB per gateway',
      small.flatMap((r) => r.perGateway.map((g) => g.rssAfterBytes / 2 ** 20)),
      1,
    );
    row(
      'gateway RSS growth per connection, KiB',
      small.flatMap((r) => r.perGateway.map((g) => g.bytesPerConnection / 1024)),
      1,
    );
    row(
      'NATS subscriptions held by the gateways (summed)',
      small.map((r) => r.natsSubscriptions.byClient.gateway ?? 0),
    );
    row(
      'NATS subscription list per node',
      small.flatMap((r) => r.natsSubscriptions.perNode),
    );
    row(
      'NATS RSS growth, MiB (3 nodes)',
      small.map((r) => (r.natsRssAfterBytes - r.natsRssBeforeBytes) / 2 ** 20),
      1,
    );
    lines.push(
      `| idle CPU with everyone in, ms per second by part | ${idleParts(small.map((r) => r.idleCpuMsPerSec))} |`,
    );
    row(
      'message in a small room: offered sends/s',
      small.map((r) => r.message.offered),
    );
    row(
      '… delivered/s',
      small.map((r) => r.message.deliveredPerSec),
    );
    row(
      '… delivery p50, ms',
      small.map((r) => r.message.latency.p50),
      1,
    );
    row(
      '… delivery p99, ms',
      small.map((r) => r.message.latency.p99),
      1,
    );
    row(
      '… server CPU per message (all parts), µs',
      small.map((r) => sumValues(r.message.perPartUsPerMessage)),
    );
    for (const part of ['gateway', 'nats', 'rooms', 'postgres'])
      row(
        `… of which ${part}, µs per message`,
        small.map((r) => r.message.perPartUsPerMessage[part] ?? 0),
      );
    row(
      '… server CPU per message beyond idle (all parts), µs',
      small.map((r) => (r.message.perPartNetUsPerMessage ? sumValues(r.message.perPartNetUsPerMessage) : undefined)),
    );
    for (const part of ['gateway', 'nats', 'rooms', 'postgres'])
      row(
        `… of which ${part}, µs per message beyond idle`,
        small.map((r) => r.message.perPartNetUsPerMessage?.[part]),
      );
    lines.push(`| every message delivered | ${small.every((r) => r.message.lost === 0) ? 'yes' : 'no'} |`);
  }
  return lines;
}

/** "gateway 12, nats 3, …": the median of each part's figure over the runs that measured it. */
function idleParts(runs: (Record<string, number> | undefined)[]): string {
  const known = runs.filter((r): r is Record<string, number> => r !== undefined);
  if (known.length === 0) return '—';
  return Object.keys(known[0]!)
    .map(
      (part) =>
        `${part} ${m(
          known.map((r) => r[part]),
          0,
        )}`,
    )
    .join(', ');
}

function sumValues(values: Record<string, number>): number {
  return Object.values(values).reduce((a, b) => a + b, 0);
}
