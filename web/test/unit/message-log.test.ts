import { describe, expect, it } from 'vitest';
import {
  addNotice,
  emptyLog,
  findGap,
  gapSize,
  hasOlder,
  latestSeq,
  mergeMessages,
  oldestSeq,
  timeline,
} from '../../src/lib/message-log';
import { message, messages, range, seqs } from './fixtures';

describe('mergeMessages', () => {
  it('appends live messages in seq order', () => {
    let log = mergeMessages(emptyLog, messages(1, 3)).log;
    log = mergeMessages(log, [message(4)]).log;
    expect(seqs(log.messages)).toEqual([1, 2, 3, 4]);
  });

  it('never shows a message twice when the send reply and the broadcast both arrive', () => {
    const first = mergeMessages(mergeMessages(emptyLog, messages(1, 5)).log, [message(6)]);
    const second = mergeMessages(first.log, [message(6)]);
    expect(seqs(second.log.messages)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(second.added).toEqual([]);
    expect(second.log).toBe(first.log);
  });

  it('prepends a page of older history', () => {
    const log = mergeMessages(emptyLog, messages(51, 100)).log;
    const result = mergeMessages(log, messages(1, 50));
    expect(seqs(result.log.messages)).toEqual(range(1, 100));
    expect(seqs(result.added)).toEqual(range(1, 50));
  });

  it('orders messages that arrive out of order and drops duplicates within one batch', () => {
    const log = mergeMessages(emptyLog, [message(5), message(2), message(9)]).log;
    const result = mergeMessages(log, [message(7), message(3), message(7), message(2), message(10)]);
    expect(seqs(result.log.messages)).toEqual([2, 3, 5, 7, 9, 10]);
    expect(seqs(result.added)).toEqual([3, 7, 10]);
  });

  it('merges a rejoin page that overlaps what is already shown', () => {
    const log = mergeMessages(emptyLog, messages(51, 100)).log;
    const result = mergeMessages(log, messages(81, 130));
    expect(seqs(result.log.messages)).toEqual(range(51, 130));
    expect(seqs(result.added)).toEqual(range(101, 130));
  });
});

describe('findGap', () => {
  it('finds no gap in a contiguous log, nor before the oldest loaded message', () => {
    const log = mergeMessages(emptyLog, messages(40, 60)).log;
    expect(findGap(log)).toBeNull();
    expect(hasOlder(log)).toBe(true);
  });

  it('reports the hole between the last message seen before a reconnect and the rejoin page', () => {
    const log = mergeMessages(emptyLog, [...messages(51, 100), ...messages(131, 180)]).log;
    const gap = findGap(log);
    expect(gap).toEqual({ after: 100, before: 131 });
    expect(gapSize(gap!)).toBe(30);
  });

  it('reports the newest hole first and none once it is filled', () => {
    let log = mergeMessages(emptyLog, [...messages(1, 3), ...messages(6, 8), ...messages(12, 13)]).log;
    expect(findGap(log)).toEqual({ after: 8, before: 12 });
    log = mergeMessages(log, messages(9, 11)).log;
    expect(findGap(log)).toEqual({ after: 3, before: 6 });
    log = mergeMessages(log, messages(4, 5)).log;
    expect(findGap(log)).toBeNull();
    expect(seqs(log.messages)).toEqual(range(1, 13));
  });
});

describe('oldest, latest and hasOlder', () => {
  it('knows that seq 1 is the start of the room', () => {
    expect(oldestSeq(emptyLog)).toBeNull();
    expect(latestSeq(emptyLog)).toBeNull();
    expect(hasOlder(emptyLog)).toBe(false);
    const log = mergeMessages(emptyLog, messages(1, 4)).log;
    expect(oldestSeq(log)).toBe(1);
    expect(latestSeq(log)).toBe(4);
    expect(hasOlder(log)).toBe(false);
  });
});

describe('timeline', () => {
  it('places join and leave notices after the message that was newest when they happened', () => {
    let log = mergeMessages(emptyLog, messages(10, 11)).log;
    log = addNotice(log, { key: 'a', text: 'carol joined the room', at: '2025-01-01T12:00:00Z' });
    log = mergeMessages(log, [message(12)]).log;
    log = addNotice(log, { key: 'b', text: 'carol left the room', at: '2025-01-01T12:01:00Z' });
    // Older history loaded later goes above the notices, not below them.
    log = mergeMessages(log, messages(8, 9)).log;
    const entries = timeline(log).map((entry) => (entry.kind === 'message' ? entry.message.seq : entry.notice.key));
    expect(entries).toEqual([8, 9, 10, 11, 'a', 12, 'b']);
  });

  it('shows notices in an empty room', () => {
    const log = addNotice(emptyLog, { key: 'x', text: 'dave joined the room', at: '2025-01-01T12:00:00Z' });
    expect(timeline(log)).toEqual([
      { kind: 'notice', notice: { key: 'x', text: 'dave joined the room', at: '2025-01-01T12:00:00Z', afterSeq: 0 } },
    ]);
  });
});
