/**
 * The answer to a rejoin (a join with `since`): exactly the messages the client missed, or, when that cannot be
 * told in one answer, a reset to the latest messages. The client's seq counts within one incarnation of the
 * room, so a position in another incarnation (or with no epoch) is never filled in: the two would mix.
 */
import { HISTORY_ON_JOIN, joinResultJson, MAX_RESUME_MESSAGES, type ResumePosition } from '@chat/protocol';
import type { RoomState } from '../rooms/store.js';
import type { MessageHistory } from './history.js';
import type { RecentHistory } from './recent-history.js';

export interface ResumeSources {
  history: MessageHistory;
  recent: RecentHistory;
}

/**
 * The JoinResult JSON for a client at `position`, as of `state` (the state the join is granted in: the gateway
 * delivers the room's events newer than `state.lastSeq`, so the answer stops there). A position at or past
 * the room's last seq has missed nothing: no messages, no reset.
 */
export async function resumeAnswer(
  state: RoomState,
  position: ResumePosition,
  limit: number,
  { history, recent }: ResumeSources,
): Promise<string> {
  const roomJson = JSON.stringify(state.room);
  const missed = state.lastSeq - position.since;
  if (position.epoch === state.epoch && missed <= MAX_RESUME_MESSAGES) {
    // A few missed (the rejoins after a gateway restart) are among the kept latest messages; more are read.
    const kept = missed <= 0 ? '[]' : await recent.afterJson(state, position.since);
    const messages =
      kept ?? JSON.stringify(await history.after(state.room.id, state.epoch, position.since, state.lastSeq));
    return joinResultJson(roomJson, messages, false);
  }
  const latest =
    limit === HISTORY_ON_JOIN
      ? await recent.latestJson(state)
      : JSON.stringify(await history.page(state.room.id, { limit }));
  return joinResultJson(roomJson, latest, true);
}
