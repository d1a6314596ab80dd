import type { Migration } from 'kysely';
import * as rooms from './0001-rooms.js';
import * as messageEdits from './0002-message-edits.js';
import * as historyVersion from './0003-history-version.js';
import * as roomEpoch from './0004-room-epoch.js';
import * as presence from './0005-presence.js';
import * as unannounced from './0006-unannounced.js';

/** Every migration, by name; names sort in the order they run. */
export const migrations: Record<string, Migration> = {
  '0001-rooms': rooms,
  '0002-message-edits': messageEdits,
  '0003-history-version': historyVersion,
  '0004-room-epoch': roomEpoch,
  '0005-presence': presence,
  '0006-unannounced': unannounced,
};
