/**
 * A latency histogram in milliseconds: 10 µs buckets below 1 ms, then buckets 1% wide up to 10 minutes.
 * Fixed size, allocation-free to record, and mergeable across processes (sent over IPC as sparse pairs).
 */
const LINEAR = 100; // 0..1 ms in 10 µs steps
const GROWTH = Math.log(1.01);
const MAX_MS = 600_000;
const SIZE = LINEAR + Math.ceil(Math.log(MAX_MS) / GROWTH) + 1;

export interface HistogramData {
  /** [bucket, count] pairs, non-zero buckets only. */
  buckets: [number, number][];
  count: number;
  sum: number;
  max: number;
}

export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function bucketOf(ms: number): number {
  if (ms < 1) return ms <= 0 ? 0 : Math.floor(ms * LINEAR);
  if (ms >= MAX_MS) return SIZE - 1;
  return LINEAR + Math.floor(Math.log(ms) / GROWTH);
}

/** The upper edge of a bucket: a percentile is never reported lower than it was. */
function upperEdge(bucket: number): number {
  if (bucket < LINEAR) return (bucket + 1) / LINEAR;
  return Math.exp((bucket - LINEAR + 1) * GROWTH);
}

export class Histogram {
  private readonly counts = new Uint32Array(SIZE);
  count = 0;
  sum = 0;
  max = 0;

  record(ms: number): void {
    this.counts[bucketOf(ms)]!++;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  merge(data: HistogramData): this {
    for (const [bucket, n] of data.buckets) this.counts[bucket]! += n;
    this.count += data.count;
    this.sum += data.sum;
    if (data.max > this.max) this.max = data.max;
    return this;
  }

  toJSON(): HistogramData {
    const buckets: [number, number][] = [];
    for (let i = 0; i < SIZE; i++) if (this.counts[i]! > 0) buckets.push([i, this.counts[i]!]);
    return { buckets, count: this.count, sum: this.sum, max: this.max };
  }

  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < SIZE; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(upperEdge(i), this.max);
    }
    return this.max;
  }

  summary(): Summary {
    return {
      count: this.count,
      mean: this.count === 0 ? 0 : round(this.sum / this.count),
      p50: round(this.percentile(50)),
      p90: round(this.percentile(90)),
      p99: round(this.percentile(99)),
      max: round(this.max),
    };
  }

  static from(...parts: HistogramData[]): Histogram {
    const h = new Histogram();
    for (const part of parts) h.merge(part);
    return h;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
