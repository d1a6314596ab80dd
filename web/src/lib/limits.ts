/**
 * The protocol limits the client needs, copied as literals so the bundle does not pull in @chat/protocol's
 * runtime (TypeBox). The type annotations make `tsc` fail if the protocol's values ever change.
 */
import type * as Protocol from '@chat/protocol';

export const MAX_MESSAGE_CHARS: typeof Protocol.MAX_MESSAGE_CHARS = 4000;
export const MAX_HISTORY_PAGE: typeof Protocol.MAX_HISTORY_PAGE = 100;
export const MAX_RESUME_MESSAGES: typeof Protocol.MAX_RESUME_MESSAGES = 500;
export const MIN_PASSWORD_LENGTH: typeof Protocol.MIN_PASSWORD_LENGTH = 8;
export const MAX_ROOM_TITLE_LENGTH: typeof Protocol.MAX_ROOM_TITLE_LENGTH = 100;
export const TYPING_THROTTLE_MS: typeof Protocol.TYPING_THROTTLE_MS = 2000;
export const TYPING_EXPIRY_MS: typeof Protocol.TYPING_EXPIRY_MS = 6000;

/** Close codes the client acts on (see CloseCode in the protocol). */
export const CLOSE_SESSION_ENDED: typeof Protocol.CloseCode.POLICY = 1008;
