/**
 * Rejoining a room from where the client's copy of it ends (docs/protocol.md, `join` with `since`): the server
 * answers exactly what was missed, or a reset, which replaces the copy and gets a line saying why.
 */
import type { JoinFrame } from '@chat/protocol';
import { MAX_RESUME_MESSAGES } from './limits';
import { latestSeq, type MessageLog } from './message-log';

export type ResumeFields = Pick<JoinFrame, 'since' | 'epoch'>;

/**
 * The position a join names: the last seq held and the incarnation (epoch) of the room it was held in. Nothing
 * before the first join (an ordinary join); 0 for a room joined while it had no messages.
 */
export function resumeFields(log: MessageLog, logEpoch: number | null): ResumeFields {
  return logEpoch === null ? {} : { since: latestSeq(log) ?? 0, epoch: logEpoch };
}

/** The line at the top of a room whose messages a rejoin replaced. */
export function resetNoticeText(recreated: boolean): string {
  return recreated
    ? 'This room was re-created: its earlier messages are gone.'
    : `More than ${MAX_RESUME_MESSAGES} messages came while you were away: showing the latest.`;
}
