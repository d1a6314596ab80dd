/** Events up: every component reports what the user did with a bubbling, composed CustomEvent. */
export function fire<T>(target: EventTarget, type: string, detail: T): void {
  target.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
}

/** The detail of `message-send`: the composer keeps the text until `done(true)` says it was stored. */
export interface SendRequest {
  text: string;
  done(sent: boolean): void;
}
