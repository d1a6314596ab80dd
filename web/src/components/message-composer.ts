/**
 * Writes one message: Enter sends, Shift+Enter starts a new line. The text stays in the box until the server
 * confirms it was stored, so a failed send (rate limit, dropped connection) loses nothing.
 */
import { css, html, LitElement } from 'lit';
import { live } from 'lit/directives/live.js';
import { MAX_MESSAGE_CHARS, TYPING_THROTTLE_MS } from '../lib/limits';
import { fire, type SendRequest, type TypingChange } from './events';
import { sharedStyles } from './shared-styles';

export class MessageComposer extends LitElement {
  static override properties = {
    roomTitle: { attribute: false },
    disabled: { type: Boolean },
    closedReason: { attribute: false },
    draft: { state: true },
    sending: { state: true },
  };
  declare roomTitle: string;
  /** Sending is impossible right now (not connected, or not in the room); typing still is. */
  declare disabled: boolean;
  /** Why this room takes no more messages (it was deleted, or the user was taken out of it); typing is off too. */
  declare closedReason: string | null;
  declare draft: string;
  declare sending: boolean;
  /** When the last typing notice went out while this draft was being typed; 0: none (or it was stopped). */
  private typingSince = 0;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 0.5rem;
        align-items: end;
      }
      textarea {
        width: 100%;
        resize: vertical;
        min-height: 2.6rem;
        max-height: 40vh;
      }
      /* The label and the hint share one line above the box, so the label costs no height of its own. */
      .top {
        grid-column: 1 / -1;
        display: flex;
        flex-wrap: wrap;
        align-items: baseline;
        justify-content: space-between;
        gap: 0 0.75rem;
        font-size: 0.8rem;
      }
      label {
        font-weight: 600;
      }
      .hint {
        margin: 0;
        color: var(--chat-muted);
      }
      .hint.over {
        color: var(--chat-danger);
      }
    `,
  ];

  constructor() {
    super();
    this.roomTitle = '';
    this.disabled = false;
    this.closedReason = null;
    this.draft = '';
    this.sending = false;
  }

  override focus(): void {
    this.renderRoot.querySelector('textarea')?.focus();
  }

  override render() {
    const length = this.draft.trim().length;
    const over = length - MAX_MESSAGE_CHARS;
    const closed = this.closedReason !== null;
    const canSend = !this.disabled && !closed && !this.sending && length > 0 && over <= 0;
    return html`
      <form @submit=${this.onSubmit}>
        <div class="top">
          <label for="text">Message</label>
          ${this.renderHint(closed, over)}
        </div>
        <textarea
          id="text"
          rows="2"
          placeholder=${`Message ${this.roomTitle}`}
          aria-describedby="hint"
          .value=${live(this.draft)}
          ?readonly=${this.sending}
          ?disabled=${closed}
          @input=${this.onInput}
          @keydown=${this.onKeydown}
          @blur=${this.stopTyping}
        ></textarea>
        <button type="submit" class="primary" ?disabled=${!canSend}>Send</button>
      </form>
    `;
  }

  private renderHint(closed: boolean, over: number) {
    return html`<p id="hint" class=${over > 0 ? 'hint over' : 'hint'}>
      ${
        closed
          ? this.closedReason
          : over > 0
            ? `${over} characters over the limit of ${MAX_MESSAGE_CHARS}.`
            : this.disabled
              ? 'Sending resumes when the connection is back.'
              : 'Enter to send, Shift+Enter for a new line.'
      }
    </p>`;
  }

  private onInput(event: Event): void {
    this.draft = (event.target as HTMLTextAreaElement).value;
    if (this.draft.trim().length === 0) {
      this.stopTyping();
      return;
    }
    // Renewed while the user types, no more often than the server passes it on.
    const now = Date.now();
    if (now - this.typingSince < TYPING_THROTTLE_MS) return;
    this.typingSince = now;
    fire(this, 'composer-typing', { stop: false } satisfies TypingChange);
  }

  /** Emptied, left or sent: the others stop seeing "typing…" now rather than when it expires. */
  private stopTyping(): void {
    if (this.typingSince === 0) return;
    this.typingSince = 0;
    fire(this, 'composer-typing', { stop: true } satisfies TypingChange);
  }

  private onKeydown(event: KeyboardEvent): void {
    // isComposing: Enter also confirms an IME composition (Japanese, Chinese…) and must not send then.
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    this.submit();
  }

  private onSubmit(event: Event): void {
    event.preventDefault();
    this.submit();
  }

  private submit(): void {
    const text = this.draft.trim();
    if (
      this.disabled ||
      this.closedReason !== null ||
      this.sending ||
      text.length === 0 ||
      text.length > MAX_MESSAGE_CHARS
    )
      return;
    this.sending = true;
    // The message itself ends the typing line at the others.
    this.typingSince = 0;
    const request: SendRequest = {
      text,
      done: (sent) => {
        this.sending = false;
        if (sent) this.draft = '';
        // Give focus back only if the user is still here (Enter, or a click on Send), not after they moved on.
        if (this.shadowRoot?.activeElement) void this.updateComplete.then(() => this.focus());
      },
    };
    fire(this, 'message-send', request);
  }
}

customElements.define('message-composer', MessageComposer);

declare global {
  interface HTMLElementTagNameMap {
    'message-composer': MessageComposer;
  }
}
