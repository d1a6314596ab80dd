/**
 * One room's messages as the client knows them: ordered by seq, never duplicated, with join/leave notices
 * anchored between messages. seq is per room, strictly increasing and gapless on the server, so a missing seq
 * between two known ones is a gap the client must fill, and seq 1 is the start of the room.
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
}

export type TimelineEntry = { kind: 'message'; message: ChatMessage } | { kind: 'notice'; notice: Notice };

export interface Gap {
  /** The last known seq before the hole. */
  after: number;
  /** The first known seq after the hole. */
  before: number;
}

export const emptyLog: MessageLog = { messages: [], notices: [] };

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
  /** The incoming messages that were not already in the log, ascending. */
  added: ChatMessage[];
}

/** Merges messages from any source (live event, send reply, join, history) in any order. */
export function mergeMessages(log: MessageLog, incoming: readonly ChatMessage[]): MergeResult {
  const known = new Set(log.messages.map((message) => message.seq));
  const added: ChatMessage[] = [];
  for (const message of incoming) {
    if (known.has(message.seq)) continue;
    known.add(message.seq);
    added.push(message);
  }
  if (added.length === 0) return { log, added };
  added.sort(bySeq);

  const latest = latestSeq(log);
  const oldest = oldestSeq(log);
  const firstAdded = added[0] as ChatMessage;
  const lastAdded = added.at(-1) as ChatMessage;
  let messages: ChatMessage[];
  // The common cases — a live message, a page of older history — need no full sort.
  if (latest === null || firstAdded.seq > latest) messages = [...log.messages, ...added];
  else if (oldest !== null && lastAdded.seq < oldest) messages = [...added, ...log.messages];
  else messages = [...log.messages, ...added].sort(bySeq);
  return { log: { messages, notices: log.notices }, added };
}

/** Adds a notice after the newest message known now. */
export function addNotice(log: MessageLog, notice: Omit<Notice, 'afterSeq'>): MessageLog {
  const withAnchor: Notice = { ...notice, afterSeq: latestSeq(log) ?? 0 };
  return { messages: log.messages, notices: [...log.notices, withAnchor] };
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
