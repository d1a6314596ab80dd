/**
 * One clock for every bench process: wall-clock milliseconds with sub-millisecond precision. Each process's
 * performance.timeOrigin is the wall clock at its start, so timeOrigin + now() agrees across processes (to
 * well under a millisecond) while staying monotonic within one, unlike Date.now().
 */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
