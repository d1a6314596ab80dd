import { describe, expect, it } from 'vitest';
import { Histogram } from '../src/histogram.js';

describe('latency histogram', () => {
  it('reports percentiles within 1% and never below the true value', () => {
    const h = new Histogram();
    for (let i = 1; i <= 1000; i++) h.record(i / 10); // 0.1 .. 100 ms
    const { p50, p99, max, count } = h.summary();
    expect(count).toBe(1000);
    expect(p50).toBeGreaterThanOrEqual(50);
    expect(p50).toBeLessThanOrEqual(50.5);
    expect(p99).toBeGreaterThanOrEqual(99);
    expect(p99).toBeLessThanOrEqual(100);
    expect(max).toBe(100);
  });

  it('merges what several processes recorded', () => {
    const a = new Histogram();
    const b = new Histogram();
    a.record(1);
    b.record(3);
    b.record(1000);
    const merged = Histogram.from(a.toJSON(), b.toJSON());
    expect(merged.count).toBe(3);
    expect(merged.max).toBe(1000);
    expect(merged.percentile(50)).toBeGreaterThanOrEqual(3);
  });
});
