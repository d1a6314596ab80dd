import { describe, expect, it } from 'vitest';
import { DeliveredSeqs } from '../src/delivered-seqs.js';

/** Which of `seqs`, in arrival order, are handed on. */
function handedOn(seqs: number[]): number[] {
  const delivered = new DeliveredSeqs();
  return seqs.filter((seq) => delivered.add(seq));
}

describe('the seqs a gateway has handed on', () => {
  it('passes each seq once, in order or not, and drops every repeat', () => {
    expect(handedOn([5, 6, 7, 6, 7, 8])).toEqual([5, 6, 7, 8]);
    // Late ones (their first announcement lost) fill their hole once.
    expect(handedOn([1, 3, 4, 2, 2, 3, 5])).toEqual([1, 3, 4, 2, 5]);
    // Below the first one heard of: new too, once.
    expect(handedOn([10, 11, 8, 9, 8, 9, 10])).toEqual([10, 11, 8, 9]);
  });

  it('keeps bounded memory across a gap too large to be a repeat in flight', () => {
    expect(handedOn([1, 5000, 2, 5000, 5001])).toEqual([1, 5000, 2, 5001]);
  });
});
