/** Limits every part of the system agrees on; documented in docs/protocol.md. */
export const MAX_MESSAGE_CHARS = 4000;
export const HISTORY_ON_JOIN = 50;
export const MAX_HISTORY_PAGE = 100;
/**
 * Most messages a join with `since` fills in; a client further behind than this (or in another incarnation of
 * the room) gets a reset: the latest HISTORY_ON_JOIN messages, as an ordinary join.
 */
export const MAX_RESUME_MESSAGES = 500;
/** WebSocket frames above this many bytes close the socket with code 1009 (message too big). */
export const MAX_FRAME_BYTES = 32 * 1024;
export const MAX_REF_LENGTH = 64;
export const MAX_ROOM_ID_LENGTH = 64;
export const MAX_ROOM_TITLE_LENGTH = 100;
export const MIN_PASSWORD_LENGTH = 8;
/**
 * Join/leave notices of a room are gathered: the first after a quiet spell goes out at once, the rest that
 * come within this many milliseconds go out together, as one event, when it ends.
 */
export const PRESENCE_WINDOW_MS = 250;
/** Most users one `joined` or `left` event names; a bigger batch is split into several events. */
export const PRESENCE_BATCH_MAX = 500;
