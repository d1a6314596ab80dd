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
/** Most members a join reply or one `members` page lists; a client pages the rest (`members` with `after`). */
export const MEMBERS_PAGE_MAX = 200;
/**
 * A gateway that has not said it is alive for this long is taken for dead: its sockets leave every room (with
 * `left` where it held a user's last socket). Gateways say so every PRESENCE_HEARTBEAT_MS, and the rooms
 * service looks for silent ones every third of this; a dead gateway's users are gone within
 * PRESENCE_BOUND_MS (documented in docs/reliability.md).
 */
export const PRESENCE_GATEWAY_TIMEOUT_MS = 9000;
export const PRESENCE_HEARTBEAT_MS = 3000;
export const PRESENCE_BOUND_MS = 15_000;
/** A user's typing in a room is forwarded at most once per this many milliseconds (per gateway). */
export const TYPING_THROTTLE_MS = 2000;
/** A typing state not renewed for this long ends by itself: the clients showing it let it go. */
export const TYPING_EXPIRY_MS = 6000;
