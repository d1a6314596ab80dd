/** Events up: every component reports what the user did with a bubbling, composed CustomEvent. */
export function fire<T>(target: EventTarget, type: string, detail: T): void {
  target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

/** The detail of `message-send`: the composer keeps the text until `done(true)` says it was stored. */
export interface SendRequest {
  text: string;
  done(sent: boolean): void;
}

/** The detail of `composer-typing`: the user started (or renews) typing, or stopped. */
export interface TypingChange {
  stop: boolean;
}

/** The detail of `message-edit`: the editor stays open with the new text until `done(true)`. */
export interface EditRequest {
  messageId: string;
  text: string;
  done(saved: boolean): void;
}

/** The detail of `message-delete`, asked for once the user confirmed. */
export interface DeleteRequest {
  messageId: string;
  done(deleted: boolean): void;
}
