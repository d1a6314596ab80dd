import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@chat/protocol';
import {
  addNotice,
  applyChange,
  emptyLog,
  findGap,
  gapSize,
  hasOlder,
  isNewerVersion,
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

describe('edited and deleted messages', () => {
  const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 13, minute)).toISOString();
  const edited = (seq: number, text: string, minute: number): ChatMessage => ({
    ...message(seq),
    text,
    editedAt: at(minute),
  });
  const deleted = (seq: number, minute: number): ChatMessage => ({ ...message(seq), text: '', deletedAt: at(minute) });
  const textOf = (messages: readonly ChatMessage[], seq: number) => messages.find((m) => m.seq === seq)?.text;

  it('replaces an edited message in place, as a change and not as something new', () => {
    const log = mergeMessages(emptyLog, messages(1, 3)).log;
    const result = mergeMessages(log, [edited(2, 'fixed the typo', 1)]);
    expect(seqs(result.log.messages)).toEqual([1, 2, 3]);
    expect(textOf(result.log.messages, 2)).toBe('fixed the typo');
    expect(result.added).toEqual([]);
    expect(result.changed).toEqual([edited(2, 'fixed the typo', 1)]);
    expect(log.messages[1]?.text).toBe('message 2'); // the old log is left as it was
  });

  it('replaces a deleted message with its placeholder, keeping the seq so no gap appears', () => {
    const log = mergeMessages(emptyLog, messages(1, 3)).log;
    const result = mergeMessages(log, [deleted(2, 1)]);
    expect(seqs(result.log.messages)).toEqual([1, 2, 3]);
    expect(result.log.messages[1]).toMatchObject({ text: '', deletedAt: at(1) });
    expect(result.added).toEqual([]);
    expect(findGap(result.log)).toBeNull();
  });

  it('keeps the newer version when an older one arrives later, from history or a late event', () => {
    // A history page read before the edit, answered after the edit's event.
    let log = mergeMessages(emptyLog, [message(1), edited(2, 'second thoughts', 5)]).log;
    let result = mergeMessages(log, [message(2)]);
    expect(result.log).toBe(log);
    expect(result.changed).toEqual([]);

    // An edit event that overtook a newer one: compared by editedAt, not by arrival.
    result = mergeMessages(log, [edited(2, 'first thoughts', 4)]);
    expect(textOf(result.log.messages, 2)).toBe('second thoughts');
    log = mergeMessages(log, [edited(2, 'third thoughts', 6)]).log;
    expect(textOf(log.messages, 2)).toBe('third thoughts');

    // A deletion is final, whatever the timestamps of an edit arriving after it.
    log = mergeMessages(log, [deleted(2, 7)]).log;
    result = mergeMessages(log, [edited(2, 'too late', 8), message(2)]);
    expect(result.log).toBe(log);
    expect(result.log.messages[1]?.deletedAt).toBe(at(7));
  });

  it('keeps the newest version when one batch holds several of a new message', () => {
    const result = mergeMessages(emptyLog, [edited(1, 'v2', 2), message(1), edited(1, 'v3', 3), edited(1, 'v1', 1)]);
    expect(result.log.messages).toEqual([edited(1, 'v3', 3)]);
    expect(seqs(result.added)).toEqual([1]);
  });

  it('orders versions: deleted beats edited beats the original, later edits beat earlier ones', () => {
    expect(isNewerVersion(edited(1, 'x', 1), message(1))).toBe(true);
    expect(isNewerVersion(message(1), edited(1, 'x', 1))).toBe(false);
    expect(isNewerVersion(edited(1, 'x', 1), edited(1, 'x', 1))).toBe(false);
    expect(isNewerVersion(deleted(1, 1), edited(1, 'x', 9))).toBe(true);
    expect(isNewerVersion(edited(1, 'x', 9), deleted(1, 1))).toBe(false);
  });

  it('applies a live change to a loaded message, or in its hole, without placing one older than anything loaded', () => {
    const log = mergeMessages(emptyLog, [...messages(10, 12), ...messages(15, 16)]).log;
    expect(textOf(applyChange(log, edited(11, 'changed', 1)).log.messages, 11)).toBe('changed');
    const inHole = applyChange(log, deleted(13, 1));
    expect(seqs(inHole.log.messages)).toEqual([10, 11, 12, 13, 15, 16]);
    expect(seqs(inHole.added)).toEqual([13]);

    // Placing seq 3 would open a hole of six messages to page through, for one old edit.
    const old = applyChange(log, edited(3, 'old news', 2));
    expect(old.log.messages).toBe(log.messages);
    expect(old.added).toEqual([]);
    // ... but the older-messages page that was already on its way, read before the edit, does not undo it.
    const page = mergeMessages(old.log, messages(1, 9));
    expect(textOf(page.log.messages, 3)).toBe('old news');
    expect(seqs(page.added)).toEqual(range(1, 9));
    expect(page.log.early).toEqual([]);
  });

  it('keeps a change that comes before the join reply, and the newest of several', () => {
    let log = applyChange(emptyLog, edited(2, 'v2', 2)).log;
    log = applyChange(log, edited(2, 'v1', 1)).log;
    log = applyChange(log, deleted(4, 1)).log;
    expect(log.messages).toEqual([]);
    log = mergeMessages(log, messages(1, 5)).log;
    expect(log.messages.map((m) => m.text)).toEqual(['message 1', 'v2', 'message 3', '', 'message 5']);
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
