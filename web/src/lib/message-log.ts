/**
 * One room's messages as the client knows them: ordered by seq, never duplicated, with join/leave notices
 * anchored between messages. seq is per room, strictly increasing and gapless on the server, so a missing seq
 * between two known ones is a gap the client must fill, and seq 1 is the start of the room. An edited or
 * deleted message keeps its seq and replaces the version shown (a deleted one stays as a placeholder).
 */
import type { ChatMessage } from '@chat/protocol';

export interface Notice {
  /** Unique within the log; used as the render key. */
  key: string;
  text: string;
  /** Shown after the message with this seq (0 = before every message). */
  afterSeq: number;
  at: string;
}

export interface MessageLog {
  /** Ascending by seq, no two with the same seq. */
  readonly messages: readonly ChatMessage[];
  /** Ascending by afterSeq, then by arrival. */
  readonly notices: readonly Notice[];
  /**
   * Live changes to messages not loaded yet (older than any loaded), so that a history page already on its way
   * cannot bring back the version before them. Applied when their message arrives; at most MAX_EARLY_CHANGES.
   */
  readonly early: readonly ChatMessage[];
}

export type TimelineEntry = { kind: 'message'; message: ChatMessage } | { kind: 'notice'; notice: Notice };

export interface Gap {
  /** The last known seq before the hole. */
  after: number;
  /** The first known seq after the hole. */
  before: number;
}

export const emptyLog: MessageLog = { messages: [], notices: [], early: [] };

/** Enough for any page in flight; changes beyond it are old enough for history to carry them. */
export const MAX_EARLY_CHANGES = 100;

export function oldestSeq(log: MessageLog): number | null {
  return log.messages[0]?.seq ?? null;
}

export function latestSeq(log: MessageLog): number | null {
  return log.messages.at(-1)?.seq ?? null;
}

/** True while there may be messages before the oldest one loaded. */
export function hasOlder(log: MessageLog): boolean {
  const oldest = oldestSeq(log);
  return oldest !== null && oldest > 1;
}

export interface MergeResult {
  log: MessageLog;
  /** The incoming messages that were not already in the log, ascending. These are what can be unread. */
  added: ChatMessage[];
  /** Newer versions (edited, deleted) of messages the log already held; never unread, never announced. */
  changed: ChatMessage[];
}

/**
 * Merges messages from any source (live event, send reply, join, history, edit or delete) in any order. A
 * message already in the log is replaced only by a newer version of itself, so a history page read before an
 * edit cannot undo the edit when its reply arrives after the edit's event.
 */
export function mergeMessages(log: MessageLog, incoming: readonly ChatMessage[]): MergeResult {
  let replaced: ChatMessage[] | null = null;
  const changed = new Map<number, ChatMessage>();
  const fresh = new Map<number, ChatMessage>();
  for (const message of incoming) {
    const index = indexOfSeq(log.messages, message.seq);
    if (index >= 0) {
      const current = (replaced ?? log.messages)[index] as ChatMessage;
      if (!isNewerVersion(message, current)) continue;
      replaced ??= [...log.messages];
      replaced[index] = message;
      changed.set(message.seq, message);
      continue;
    }
    const seen = fresh.get(message.seq);
    if (seen === undefined || isNewerVersion(message, seen)) fresh.set(message.seq, message);
  }
  const base = replaced ?? log.messages;
  const updated = [...changed.values()].sort(bySeq);
  if (fresh.size === 0) {
    return { log: replaced ? { ...log, messages: base } : log, added: [], changed: updated };
  }
  const early = takeEarly(log.early, fresh);
  const added = [...fresh.values()].sort(bySeq);

  const latest = latestSeq(log);
  const oldest = oldestSeq(log);
  const firstAdded = added[0] as ChatMessage;
  const lastAdded = added.at(-1) as ChatMessage;
  let messages: ChatMessage[];
  // The common cases — a live message, a page of older history — need no full sort.
  if (latest === null || firstAdded.seq > latest) messages = [...base, ...added];
  else if (oldest !== null && lastAdded.seq < oldest) messages = [...added, ...base];
  else messages = [...base, ...added].sort(bySeq);
  return { log: { messages, notices: log.notices, early }, added, changed: updated };
}

/**
 * Applies an edited or deleted message from a live event. It replaces the version the log holds, or takes its
 * place among the loaded messages if that one was missed. One older than everything loaded is not placed,
 * which would set off paging back to it; it waits in `early` for "load older messages" to bring its message.
 */
export function applyChange(log: MessageLog, message: ChatMessage): MergeResult {
  const oldest = oldestSeq(log);
  if (oldest !== null && message.seq >= oldest) return mergeMessages(log, [message]);
  const known = log.early.find((change) => change.seq === message.seq);
  if (known && !isNewerVersion(message, known)) return { log, added: [], changed: [] };
  const early = [...log.early.filter((change) => change !== known), message].slice(-MAX_EARLY_CHANGES);
  return { log: { ...log, early }, added: [], changed: [] };
}

/** Moves early changes onto the fresh messages they belong to; returns the early changes still waiting. */
function takeEarly(early: readonly ChatMessage[], fresh: Map<number, ChatMessage>): readonly ChatMessage[] {
  if (early.length === 0) return early;
  const waiting: ChatMessage[] = [];
  for (const change of early) {
    const message = fresh.get(change.seq);
    if (message === undefined) waiting.push(change);
    else if (isNewerVersion(change, message)) fresh.set(change.seq, change);
  }
  return waiting.length === early.length ? early : waiting;
}

/**
 * True when `candidate` is a later state of the same message than `current`. A deletion is final; otherwise
 * the later edit wins. Versions compare by their own timestamps, not by arrival, because a history page and a
 * live event travel different paths.
 */
export function isNewerVersion(candidate: ChatMessage, current: ChatMessage): boolean {
  if (current.deletedAt !== undefined) return false;
  if (candidate.deletedAt !== undefined) return true;
  if (candidate.editedAt === undefined) return false;
  return current.editedAt === undefined || Date.parse(candidate.editedAt) > Date.parse(current.editedAt);
}

/** Adds a notice after the newest message known now. */
export function addNotice(log: MessageLog, notice: Omit<Notice, 'afterSeq'>): MessageLog {
  const withAnchor: Notice = { ...notice, afterSeq: latestSeq(log) ?? 0 };
  return { ...log, notices: [...log.notices, withAnchor] };
}

/**
 * The newest hole between loaded messages, or null. Missing history before the oldest loaded message is not
 * a gap: that is what "load older messages" is for. The newest hole first, because that is what the reader sees.
 */
export function findGap(log: MessageLog): Gap | null {
  const { messages } = log;
  for (let i = messages.length - 1; i > 0; i--) {
    const after = (messages[i - 1] as ChatMessage).seq;
    const before = (messages[i] as ChatMessage).seq;
    if (before - after > 1) return { after, before };
  }
  return null;
}

/** The number of messages missing in a gap. */
export function gapSize(gap: Gap): number {
  return gap.before - gap.after - 1;
}

/** Messages and notices interleaved for display. */
export function timeline(log: MessageLog): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  let n = 0;
  const { notices } = log;
  for (const message of log.messages) {
    while (n < notices.length && (notices[n] as Notice).afterSeq < message.seq) {
      entries.push({ kind: 'notice', notice: notices[n++] as Notice });
    }
    entries.push({ kind: 'message', message });
  }
  while (n < notices.length) entries.push({ kind: 'notice', notice: notices[n++] as Notice });
  return entries;
}

function bySeq(a: ChatMessage, b: ChatMessage): number {
  return a.seq - b.seq;
}

/** Binary search: `messages` is ascending by seq. -1 when absent. */
function indexOfSeq(messages: readonly ChatMessage[], seq: number): number {
  let low = 0;
  let high = messages.length - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    const at = (messages[mid] as ChatMessage).seq;
    if (at === seq) return mid;
    if (at < seq) low = mid + 1;
    else high = mid - 1;
  }
  return -1;
}
