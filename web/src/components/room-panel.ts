/** One open room: its header, messages, errors and composer. Reports what the user does as events. */
import { css, html, LitElement, nothing } from 'lit';
import { canLoadOlder, type OpenRoom } from '../controllers/chat';
import { fire } from './events';
import { typingText } from '../lib/typing';
import './member-list';
import './message-composer';
import './message-list';
import { sharedStyles } from './shared-styles';

/** What the composer says instead of how to send, in rooms that take no more messages from this user. */
const closedReasons: Partial<Record<OpenRoom['phase'], string>> = {
  deleted: 'Nothing more can be sent to a deleted room.',
  removed: 'You can no longer send messages to this room.',
};

export class RoomPanel extends LitElement {
  static override properties = {
    entry: { attribute: false },
    active: { type: Boolean },
    connected: { type: Boolean },
    selfId: { attribute: false },
    canModerate: { type: Boolean },
  };
  declare entry: OpenRoom;
  declare active: boolean;
  declare connected: boolean;
  declare selfId: string;
  declare canModerate: boolean;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        gap: 0.5rem;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      h2 {
        font-size: 1.15rem;
        margin: 0;
        overflow-wrap: anywhere;
      }
      .joining {
        color: var(--chat-muted);
        font-size: 0.9rem;
      }
      p.joining {
        flex: 1;
        margin: 0;
      }
      header button {
        margin-inline-start: auto;
      }
      message-list {
        flex: 1;
        border: 1px solid var(--chat-border);
        border-radius: var(--chat-radius);
        background: var(--chat-bg);
      }
      .error {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        margin: 0;
      }
      .error span {
        flex: 1;
      }
      .refused {
        display: grid;
        gap: 0.5rem;
        justify-items: start;
      }
      .refused p {
        margin: 0;
      }
      .typing {
        margin: 0;
        min-height: 1.2em;
        font-size: 0.85rem;
        font-style: italic;
        color: var(--chat-muted);
      }
      .gone {
        margin: 0;
        padding: 0.5rem 0.75rem;
        border: 1px solid var(--chat-border);
        border-radius: var(--chat-radius);
      }
    `,
  ];

  constructor() {
    super();
    this.active = false;
    this.connected = false;
    this.selfId = '';
    this.canModerate = false;
  }

  /** Puts the keyboard in the composer, e.g. right after the room was opened. */
  focusComposer(): void {
    this.renderRoot.querySelector('message-composer')?.focus();
  }

  override render() {
    const { room, phase, error } = this.entry;
    return html`
      <header>
        <h2>${room.title}</h2>
        ${room.staffOnly ? html`<span class="tag" data-testid="staff-only">Staff only</span>` : nothing}
        ${phase === 'joining' ? html`<span class="joining">Joining…</span>` : nothing}
        <button type="button" aria-label=${`Close ${room.title}`} @click=${() => fire(this, 'room-close', room.id)}>
          Close
        </button>
      </header>
      ${
        phase === 'joined' || phase === 'joining'
          ? html`<member-list .members=${this.entry.members} .selfId=${this.selfId}></member-list>`
          : nothing
      }
      ${phase === 'refused' ? this.renderRefused(error) : this.renderRoom(error)}
    `;
  }

  /** Only a failure that may pass offers "Try again"; asking again after a refusal would only be refused again. */
  private renderRefused(error: string | null) {
    const { room, canRetry } = this.entry;
    return html`
      <div class="refused" role="alert" data-testid="join-error">
        <p><strong>Could not join ${room.title}.</strong> ${error}</p>
      </div>
      ${
        canRetry
          ? html`<div>
            <button type="button" @click=${() => fire(this, 'room-retry', room.id)}>Try again</button>
          </div>`
          : nothing
      }
    `;
  }

  private renderRoom(error: string | null) {
    const { room, log, loadingOlder, startReached, phase } = this.entry;
    return html`
      ${
        phase === 'joining' && log.messages.length === 0
          ? html`<p class="joining">Joining ${room.title}…</p>`
          : html`<message-list
        .log=${log}
        .roomTitle=${room.title}
        .selfId=${this.selfId}
        ?canModerate=${this.canModerate}
        ?actionsDisabled=${!this.connected || phase !== 'joined'}
        ?canLoadOlder=${canLoadOlder(this.entry)}
        ?loadingOlder=${loadingOlder}
        ?startReached=${startReached}
        ?active=${this.active}
          ></message-list>`
      }
      <p class="typing" aria-live="polite" data-testid="typing">
        ${phase === 'joined' ? typingText(this.entry.typists.map((typist) => typist.user.username)) : nothing}
      </p>
      ${this.renderGone()}
      ${
        error
          ? html`<div class="error" role="alert" data-testid="room-error">
            <span>${error}</span>
            <button type="button" aria-label="Dismiss error" @click=${() => fire(this, 'error-dismiss', room.id)}>×</button>
          </div>`
          : nothing
      }
      <message-composer
        .roomTitle=${room.title}
        ?disabled=${!this.connected || phase !== 'joined'}
        .closedReason=${closedReasons[phase] ?? null}
      ></message-composer>
    `;
  }

  /** Why the user is out of the room for good: it was deleted, or they may no longer be in it. */
  private renderGone() {
    const { room, phase } = this.entry;
    if (phase === 'deleted') {
      return html`<p class="gone" role="status" data-testid="room-deleted">
        <strong>${room.title} was deleted</strong> by an administrator. Its messages stay here until you close it.
      </p>`;
    }
    if (phase === 'removed') {
      return html`<p class="gone" role="status" data-testid="room-removed">
        <strong>You no longer have access to ${room.title}.</strong> Its messages stay here until you close it.
      </p>`;
    }
    return nothing;
  }
}

customElements.define('room-panel', RoomPanel);

declare global {
  interface HTMLElementTagNameMap {
    'room-panel': RoomPanel;
  }
}
