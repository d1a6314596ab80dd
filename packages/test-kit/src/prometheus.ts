/** A service's GET /metrics as a test reads it: Prometheus's text format, parsed into samples and types. */

export interface MetricsPage {
  /** `# TYPE` of every metric family on the page (histograms by their base name). */
  types: ReadonlyMap<string, string>;
  /**
   * The sum of the samples named `name` whose labels include every one of `labels` (others, e.g. `service`,
   * are summed over); 0 when there are none, as for a counter that never moved.
   */
  value(name: string, labels?: Record<string, string>): number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): MetricsPage {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [name = '', type = ''] = line.slice('# TYPE '.length).split(' ');
      types.set(name, type);
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key = '', value = ''] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return {
    types,
    value(name, labels = {}) {
      let sum = 0;
      for (const sample of samples) {
        if (sample.name !== name) continue;
        if (Object.entries(labels).every(([key, value]) => sample.labels[key] === value)) sum += sample.value;
      }
      return sum;
    },
  };
}

/** GET `<base>/metrics`, which must answer 200 in Prometheus's text format. */
export async function readMetrics(base: string): Promise<MetricsPage> {
  const res = await fetch(`${base}/metrics`);
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status} ${text}`);
  if (!res.headers.get('content-type')?.startsWith('text/plain; version=0.0.4')) {
    throw new Error(`GET /metrics: content type ${res.headers.get('content-type')}`);
  }
  return parseMetrics(text);
}
