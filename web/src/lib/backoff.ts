/**
 * Reconnect delays: exponential with a cap and "equal jitter" — half of each delay is fixed, half random — so
 * a gateway restart does not bring every client back in the same instant, yet no retry is ever immediate.
 */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  /** Returns a number in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  private readonly random: () => number;
  private failures = 0;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.random = options.random ?? Math.random;
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.failures;
  }

  /** The ceiling of the next delay before jitter. */
  ceiling(attempt = this.failures): number {
    // 2 ** attempt grows without bound; clamp the exponent so it never becomes Infinity.
    return Math.min(this.maxMs, this.baseMs * 2 ** Math.min(attempt, 30));
  }

  /** The delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const ceiling = this.ceiling();
    this.failures += 1;
    const half = ceiling / 2;
    return Math.round(half + this.random() * half);
  }

  reset(): void {
    this.failures = 0;
  }
}
