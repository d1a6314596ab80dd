/** The admission rule on its own: who gets a turn, in what order, and who is turned away. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Admission, type AdmissionOptions, eventLoopBusy } from '../src/admission.js';

let clock = 0;
let busy = false;
let admission: Admission;
const make = (options: Partial<AdmissionOptions> = {}) =>
  new Admission({
    concurrent: 16,
    maxJoins: 64,
    targetMs: 10,
    maxWaiting: 100,
    maxWaitingPerKey: 100,
    maxWaitMs: 1000,
    now: () => clock,
    loopBusy: () => busy,
    ...options,
  });

/**
 * Starts `n` handshakes from one address; returns the order in which they were let in (by index) and who was
 * refused.
 */
function knock(n: number, from = '192.0.2.1') {
  const admitted: number[] = [];
  const refused: number[] = [];
  for (let i = 0; i < n; i++) {
    admission.enter(from).then(
      () => admitted.push(i),
      () => refused.push(i),
    );
  }
  return { admitted, refused };
}
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

beforeEach(() => {
  clock = 0;
  busy = false;
});
afterEach(() => admission?.close());

describe('admission of new sockets', () => {
  it('lets one newcomer in at first, and the next only when its check is over', async () => {
    admission = make();
    const { admitted } = knock(3);
    await settle();
    expect(admitted).toEqual([0]);
    admission.release();
    await settle();
    expect(admitted).toEqual([0, 1]);
  });

  it('keeps newcomers waiting while joins of those inside reach the limit, then lets them in in order', async () => {
    admission = make();
    const joins = [0, 1, 2, 3].map(() => admission.joinStarted());
    const { admitted } = knock(2);
    await settle();
    expect(admitted).toEqual([]);
    clock += 2;
    admission.joinFinished(joins[0] as number);
    await settle();
    expect(admitted).toEqual([0]);
    admission.joinStarted(); // the newcomer's own join: four under way again
    admission.release();
    await settle();
    expect(admitted).toEqual([0]);
    admission.joinFinished(joins[1] as number);
    await settle();
    expect(admitted).toEqual([0, 1]);
  });

  it('lets more in at once while joins stay quick, and fewer after slow ones', () => {
    admission = make();
    const before = admission.stats().joinLimit;
    for (let i = 0; i < 200; i++) admission.joinFinished(admission.joinStarted());
    const grown = admission.stats().joinLimit;
    expect(grown).toBeGreaterThan(before * 2);
    for (let i = 0; i < 10; i++) {
      const started = admission.joinStarted();
      clock += 50;
      admission.joinFinished(started);
    }
    expect(admission.stats().joinLimit).toBeLessThan(grown / 4);
    expect(admission.stats().joinLimit).toBeGreaterThanOrEqual(1);
  });

  it('lets one newcomer in at a time while the event loop is busy, and more at once when it is not', async () => {
    vi.useFakeTimers();
    try {
      admission = make();
      for (let i = 0; i < 200; i++) admission.joinFinished(admission.joinStarted()); // quick joins: room for many
      busy = true;
      const { admitted } = knock(3);
      await vi.advanceTimersByTimeAsync(100);
      expect(admitted).toEqual([0]);
      busy = false;
      await vi.advanceTimersByTimeAsync(20);
      expect(admitted).toEqual([0, 1, 2]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('turns away whoever would wait beyond the queue, at once, and the rest after the longest wait', async () => {
    vi.useFakeTimers();
    try {
      admission = make({ maxWaiting: 2, maxWaitMs: 500 });
      const { admitted, refused } = knock(5);
      await vi.advanceTimersByTimeAsync(0);
      expect(admitted).toEqual([0]);
      expect(refused).toEqual([3, 4]);
      await vi.advanceTimersByTimeAsync(500);
      expect(refused).toEqual([3, 4, 1, 2]);
      // The refused are gone for good: a later turn goes to the next newcomer.
      admission.release();
      const later = knock(1);
      await vi.advanceTimersByTimeAsync(0);
      expect(later.admitted).toEqual([0]);
      expect(admission.stats().waiting).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('frees the place of a newcomer who leaves while waiting: the queue limit counts only those still there', async () => {
    admission = make({ maxWaiting: 2 });
    admission.enter('192.0.2.1'); // in, being checked
    const leaving = new AbortController();
    const outcomes: string[] = [];
    admission.enter('192.0.2.1', leaving.signal).then(
      () => outcomes.push('leaver admitted'),
      () => outcomes.push('leaver refused'),
    );
    admission.enter('192.0.2.1').then(() => outcomes.push('second admitted'));
    expect(admission.stats().waiting).toBe(2);
    leaving.abort();
    await settle();
    expect(outcomes).toEqual(['leaver refused']);
    expect(admission.stats().waiting).toBe(1);
    // With the leaver gone there is room in the queue again, and the next turn skips it.
    admission.enter('192.0.2.1').then(
      () => outcomes.push('third admitted'),
      () => outcomes.push('third refused'),
    );
    expect(admission.stats().waiting).toBe(2);
    admission.release();
    await settle();
    expect(outcomes).toEqual(['leaver refused', 'second admitted']);
  });

  it('turns away at once a newcomer that left before it could even queue', async () => {
    admission = make();
    admission.enter('192.0.2.1');
    const left = new AbortController();
    left.abort();
    await expect(admission.enter('192.0.2.1', left.signal)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(admission.stats().waiting).toBe(0);
  });

  it('serves the addresses waiting in turn, so a flood from one waits behind itself, not before others', async () => {
    admission = make();
    const order: string[] = [];
    const from = (address: string, n: number) => {
      for (let i = 0; i < n; i++) {
        admission.enter(address).then(
          () => order.push(`${address}#${i}`),
          () => {}, // those still waiting when the test ends are turned away
        );
      }
    };
    admission.enter('flood'); // let in at once, being checked
    from('flood', 50);
    from('alice', 1);
    from('bob', 2);
    for (let turn = 0; turn < 6; turn++) {
      await settle();
      admission.release();
    }
    await settle();
    expect(order).toEqual(['flood#0', 'alice#0', 'bob#0', 'flood#1', 'bob#1', 'flood#2']);
  });

  it("turns away at once a newcomer beyond its own address's queue, while others still queue", async () => {
    admission = make({ maxWaitingPerKey: 2 });
    const flood = knock(5, 'flood');
    const other = knock(1, 'other');
    await settle();
    expect(flood.admitted).toEqual([0]);
    expect(flood.refused).toEqual([3, 4]);
    expect(other.refused).toEqual([]);
    await expect(admission.enter('flood')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(admission.stats()).toMatchObject({ waiting: 3, addressesWaiting: 2 });
    admission.release();
    await settle();
    expect(other.admitted).toEqual([]); // 'flood' was first in the round
    admission.release();
    await settle();
    expect(other.admitted).toEqual([0]);
  });

  it('turns everyone waiting away on shutdown', async () => {
    admission = make();
    const { admitted, refused } = knock(4);
    admission.close();
    await settle();
    expect(admitted).toEqual([0]);
    expect(refused).toEqual([1, 2, 3]);
  });
});

describe('the event-loop busy check', () => {
  it('says busy after the loop was blocked for the whole window, and not once it has idled', async () => {
    const loopBusy = eventLoopBusy(0.9, 20);
    const until = performance.now() + 50;
    while (performance.now() < until) {
      // Block the event loop, as a crowd's handshakes would.
    }
    expect(loopBusy()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(loopBusy()).toBe(false);
  });
});
