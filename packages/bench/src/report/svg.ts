/**
 * latency.svg: latency percentiles (p50, p99) against offered load, floor and stack on the same axes; one
 * panel for fanout (delivery latency), one for persistence (ack latency). Hand-written SVG, log-scale y.
 */
import type { Results } from '../results.js';
import type { StepResult } from '../scenarios/context.js';

interface Series {
  label: string;
  color: string;
  dashed: boolean;
  points: [number, number][];
}

interface Panel {
  title: string;
  xLabel: string;
  limitMs: number;
  series: Series[];
}

const COLORS = { floor: '#4c78a8', stack: '#e45756' } as const;
const W = 520;
const H = 340;
const M = { left: 60, right: 20, top: 40, bottom: 50 };

export function latencySvg(results: Results): string {
  const panels: Panel[] = [];
  const fanout = results.scenarios.fanout;
  if (fanout) {
    panels.push({
      title: 'fanout: delivery latency',
      xLabel: 'offered load, msgs delivered/s',
      limitMs: results.options.fanout.p99LimitMs,
      series: seriesOf(fanout, (r, step) => step.offered * (r as { membersPerRoom: number }).membersPerRoom, 'latency'),
    });
  }
  const persistence = results.scenarios.persistence;
  if (persistence) {
    panels.push({
      title: 'persistence: send ack latency',
      xLabel: 'offered load, sends/s',
      limitMs: results.options.persistence.p99LimitMs,
      series: seriesOf(persistence, (_r, step) => step.offered, 'ack'),
    });
  }
  const width = W * Math.max(1, panels.length);
  const body = panels.map((p, i) => panel(p, i * W)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${H}" viewBox="0 0 ${width} ${H}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
${body}
</svg>
`;
}

function seriesOf<R extends { steps: StepResult[] }>(
  byTarget: Partial<Record<'floor' | 'stack', R>>,
  x: (result: R, step: StepResult) => number,
  which: 'latency' | 'ack',
): Series[] {
  const series: Series[] = [];
  for (const [target, result] of Object.entries(byTarget) as ['floor' | 'stack', R][]) {
    const steps = [...result.steps].sort((a, b) => a.offered - b.offered);
    for (const [p, dashed] of [
      ['p50', true],
      ['p99', false],
    ] as const) {
      series.push({
        label: `${target} ${p}`,
        color: COLORS[target],
        dashed,
        points: steps.map((step) => [x(result, step), Math.max(0.01, step[which][p])]),
      });
    }
  }
  return series;
}

function panel(p: Panel, offsetX: number): string {
  const all = p.series.flatMap((s) => s.points);
  const xMax = niceCeil(Math.max(1, ...all.map(([x]) => x)));
  const yMin = 0.1;
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(p.limitMs * 2, ...all.map(([, y]) => y))));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number) => offsetX + M.left + (x / xMax) * plotW;
  const sy = (y: number) =>
    M.top +
    plotH -
    ((Math.log10(Math.max(yMin, y)) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * plotH;

  const out: string[] = [];
  out.push(
    `<text x="${offsetX + W / 2}" y="20" text-anchor="middle" font-size="13" font-weight="bold">${p.title}</text>`,
  );
  for (let y = yMin; y <= yMax * 1.001; y *= 10) {
    out.push(`<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(y)}" y2="${sy(y)}" stroke="#ddd"/>`);
    out.push(
      `<text x="${sx(0) - 6}" y="${sy(y) + 4}" text-anchor="end">${y >= 1 ? y.toFixed(0) : y.toFixed(1)}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const x = (xMax * i) / 4;
    out.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${sy(yMax)}" y2="${sy(yMin)}" stroke="#eee"/>`);
    out.push(`<text x="${sx(x)}" y="${sy(yMin) + 16}" text-anchor="middle">${short(x)}</text>`);
  }
  out.push(
    `<line x1="${sx(0)}" x2="${sx(xMax)}" y1="${sy(p.limitMs)}" y2="${sy(p.limitMs)}" stroke="#999" stroke-dasharray="2,3"/>`,
    `<text x="${sx(xMax) - 2}" y="${sy(p.limitMs) - 4}" text-anchor="end" fill="#777">p99 limit ${p.limitMs} ms</text>`,
    `<text x="${offsetX + M.left + plotW / 2}" y="${H - 12}" text-anchor="middle">${p.xLabel}</text>`,
    `<text transform="translate(${offsetX + 16},${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency, ms (log)</text>`,
    `<rect x="${sx(0)}" y="${sy(yMax)}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  );
  p.series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const d = s.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
    const dash = s.dashed ? ' stroke-dasharray="5,3"' : '';
    out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.8"${dash}/>`);
    for (const [x, y] of s.points)
      out.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.2" fill="${s.color}"/>`);
    const ly = M.top + 8 + i * 14;
    const lx = sx(0) + 8;
    out.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="1.8"${dash}/>`,
      `<text x="${lx + 22}" y="${ly + 4}">${s.label}</text>`,
    );
  });
  return `<g>\n${out.join('\n')}\n</g>`;
}

function niceCeil(x: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * magnitude >= x) return m * magnitude;
  return 10 * magnitude;
}

function short(x: number): string {
  if (x >= 1e6) return `${+(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${+(x / 1e3).toFixed(1)}k`;
  return `${+x.toFixed(1)}`;
}
