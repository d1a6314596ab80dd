import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/lib/backoff';

describe('Backoff', () => {
  it('doubles the ceiling per failure up to the cap', () => {
    const backoff = new Backoff({ baseMs: 500, maxMs: 8_000, random: () => 0.999999 });
    const delays = Array.from({ length: 7 }, () => backoff.next());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoff.attempt).toBe(7);
  });

  it('never waits less than half the ceiling, so retries are never immediate', () => {
    const backoff = new Backoff({ baseMs: 1_000, maxMs: 30_000, random: () => 0 });
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
  });

  it('spreads clients over the upper half of each step with real randomness', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const samples = Array.from({ length: 200 }, () => {
        const backoff = new Backoff({ baseMs: 250, maxMs: 10_000 });
        for (let i = 0; i < attempt; i++) backoff.next();
        return backoff.next();
      });
      const ceiling = Math.min(10_000, 250 * 2 ** attempt);
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(ceiling / 2);
      expect(Math.max(...samples)).toBeLessThanOrEqual(ceiling);
      expect(new Set(samples).size).toBeGreaterThan(1);
    }
  });

  it('starts again from the base delay after a reset', () => {
    const backoff = new Backoff({ baseMs: 100, maxMs: 10_000, random: () => 0.5 });
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempt).toBe(0);
    expect(backoff.next()).toBe(75);
  });

  it('stays at the cap however many failures there were', () => {
    const backoff = new Backoff({ baseMs: 500, maxMs: 30_000, random: () => 0.999999 });
    for (let i = 0; i < 2000; i++) backoff.next();
    expect(backoff.next()).toBe(30_000);
  });
});
