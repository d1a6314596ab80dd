/**
 * Which message seqs of one room a gateway has handed to its members, so that a message announced again is
 * dropped. The rooms service announces a message twice when an instance died after publishing it but before
 * clearing its outbox row, or when a repeated send finds it still marked unannounced; such a repeat may also
 * come after later messages. Kept as a range with holes: the usual next seq costs one comparison, and memory is
 * bounded by MAX_HOLES however long the room lives.
 */
const MAX_HOLES = 1000;

export class DeliveredSeqs {
  /** Lowest and highest seq handed on; 0 while none has been. */
  private low = 0;
  private top = 0;
  /** Seqs between low and top that were not handed on (yet). */
  private readonly holes = new Set<number>();

  /** Records `seq` as handed on; false when it had been already. */
  add(seq: number): boolean {
    if (seq === this.top + 1 && this.top !== 0) {
      this.top = seq;
      return true;
    }
    if (this.top === 0) {
      this.low = this.top = seq;
      return true;
    }
    if (seq > this.top) {
      // A gap too large to note is no repeat in flight: its messages are for history to fill.
      if (!this.skip(this.top + 1, seq - 1)) {
        this.holes.clear();
        this.low = seq;
      }
      this.top = seq;
      return true;
    }
    if (seq < this.low) {
      // Too far below to note: handed on, and not remembered.
      if (this.skip(seq + 1, this.low - 1)) this.low = seq;
      return true;
    }
    return this.holes.delete(seq);
  }

  /** Notes seqs not handed on; false (noting none) when that would pass MAX_HOLES. */
  private skip(from: number, to: number): boolean {
    if (this.holes.size + Math.max(0, to - from + 1) > MAX_HOLES) return false;
    for (let seq = from; seq <= to; seq++) this.holes.add(seq);
    return true;
  }
}
