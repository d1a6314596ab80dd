/** The bench's flags, as someone comparing two builds at a fixed load uses them. */
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/options.js';

const parse = (argv: string[], env: Record<string, string> = {}) => parseOptions(argv, env, '/tmp/bench-out');

describe('bench options', () => {
  it('starts the ramps at the issue rates by default', () => {
    const options = parse([]);
    expect(options.fanout.startRate).toBe(25);
    expect(options.persistence.startRate).toBe(1000);
  });

  it('starts a ramp where asked, by flag or environment, leaving the other alone', () => {
    const byFlag = parse(['--persistence-rate', '4000', '--step-ms', '20000']);
    expect(byFlag.persistence.startRate).toBe(4000);
    expect(byFlag.stepMs).toBe(20000);
    expect(byFlag.fanout.startRate).toBe(25);
    expect(parse([], { BENCH_FANOUT_RATE: '700' }).fanout.startRate).toBe(700);
  });

  it('refuses a rate that is not a positive number, naming the flag', () => {
    expect(() => parse(['--fanout-rate', '-3'])).toThrow(/--fanout-rate/);
    expect(() => parse(['--persistence-rate', 'fast'])).toThrow(/--persistence-rate/);
  });

  it('pins unless told not to, and repeats as asked', () => {
    expect(parse([]).pin).toBe('auto');
    expect(parse(['--pin', 'off']).pin).toBe('off');
    expect(parse([], { BENCH_REPEAT: '3' }).repeat).toBe(3);
    expect(() => parse(['--pin', 'sometimes'])).toThrow(/--pin/);
  });
});
