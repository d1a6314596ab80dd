/** How the bench turns several runs into verdicts one can trust, and how it splits the CPUs. */
import { describe, expect, it } from 'vitest';
import { pinPlan } from '../src/pinning.js';
import { judgeRounds, medianAndSpread, type Results } from '../src/results.js';

const persistenceRun = (ackedPerSec: number, cpuUs: number) =>
  ({
    persistence: {
      stack: {
        senders: 50,
        acked: 0,
        storedMessages: 0,
        held: { ackedPerSec, ack: { p99: 20 } },
        steps: [{ offered: 1000, cpuUsPerMessage: cpuUs }],
      },
    },
  }) as unknown as Results['scenarios'];

describe('verdicts over several runs', () => {
  it("takes the median run's verdict and keeps every run's ratio and CPU at equal load", () => {
    const { scenarios, targets } = judgeRounds([
      persistenceRun(5_000, 250),
      persistenceRun(12_000, 240),
      persistenceRun(9_000, 260),
    ]);
    expect(scenarios.persistence?.stack?.held?.ackedPerSec).toBe(9_000);
    const [check] = targets;
    expect(check).toMatchObject({ scenario: 'persistence', ratio: 0.9, pass: false });
    expect(check?.runs).toEqual({ ratios: [0.5, 1.2, 0.9], passed: 1 });
    expect(check?.cpuAtFirstStep).toEqual([{ target: 'stack', offered: 1000, usPerMessage: [250, 240, 260] }]);
  });

  it('says one run as one figure, several as median and range', () => {
    expect(medianAndSpread([3.5])).toBe('3.50');
    expect(medianAndSpread([3, 1, 2], 0)).toBe('2 (1–3)');
  });
});

describe('the CPU split', () => {
  it('keeps a quarter of the CPUs (at least one) for the generator, and pins nothing on one CPU', () => {
    expect(pinPlan(1)).toBeNull();
    expect(pinPlan(2)).toEqual({ server: '0', generator: '1' });
    expect(pinPlan(8)).toEqual({ server: '0-5', generator: '6-7' });
  });
});
