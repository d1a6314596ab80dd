/**
 * A room's messages and join/leave lines. Text is only ever bound as text, never parsed as HTML. Keeps the
 * view pinned to the newest message unless the reader scrolled up, and keeps the reader's place when older
 * messages are added above.
 */
import type { ChatMessage } from '@chat/protocol';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { emptyLog, type MessageLog, type Notice, oldestSeq, type TimelineEntry, timeline } from '../lib/message-log';
import { fullTime, shortTime } from '../lib/time';
import { fire } from './events';
import { sharedStyles } from './shared-styles';

/** Within this many pixels of the bottom counts as "reading the newest messages". */
const PIN_SLACK_PX = 48;

export class MessageList extends LitElement {
  static override properties = {
    log: { attribute: false },
    roomTitle: { attribute: false },
    selfId: { attribute: false },
    canLoadOlder: { type: Boolean },
    loadingOlder: { type: Boolean },
    startReached: { type: Boolean },
    active: { type: Boolean },
  };
  declare log: MessageLog;
  declare roomTitle: string;
  declare selfId: string;
  declare canLoadOlder: boolean;
  declare loadingOlder: boolean;
  declare startReached: boolean;
  /** Set when the panel is shown, so the list can scroll into place once it has a size. */
  declare active: boolean;

  private pinned = true;
  private restoreFromBottom: number | null = null;
  // A resize (phone rotation, window resize, composer growing) must not leave a pinned reader mid-history.
  private readonly resizes = globalThis.ResizeObserver ? new ResizeObserver(() => this.keepPinned()) : null;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
        min-height: 0;
      }
      .scroller {
        height: 100%;
        overflow-y: auto;
        overflow-anchor: none;
        padding: 0.5rem;
      }
      .older {
        display: flex;
        justify-content: center;
        padding: 0.25rem 0 0.75rem;
      }
      .start {
        color: var(--chat-muted);
        font-size: 0.85rem;
        margin: 0;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      .message {
        max-width: min(40rem, 100%);
        padding: 0.4rem 0.65rem;
        border-radius: 0.75rem;
        background: var(--chat-surface);
        border: 1px solid var(--chat-border);
        justify-self: start;
      }
      .message.mine {
        justify-self: end;
        background: #e6edfb;
      }
      .meta {
        display: flex;
        gap: 0.5rem;
        align-items: baseline;
        font-size: 0.8rem;
        color: var(--chat-muted);
      }
      .author {
        font-weight: 600;
        color: var(--chat-text);
      }
      .text {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .notice {
        justify-self: center;
        font-size: 0.85rem;
        font-style: italic;
        color: var(--chat-muted);
        text-align: center;
      }
    `,
  ];

  constructor() {
    super();
    this.log = emptyLog;
    this.roomTitle = '';
    this.selfId = '';
    this.canLoadOlder = false;
    this.loadingOlder = false;
    this.startReached = false;
    this.active = false;
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroller');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const scroller = this.scroller;
    const previous = changed.get('log') as MessageLog | undefined;
    const prepended = previous !== undefined && isPrepend(previous, this.log);
    this.restoreFromBottom = scroller && prepended ? scroller.scrollHeight - scroller.scrollTop : null;
  }

  protected override firstUpdated(): void {
    const scroller = this.scroller;
    if (scroller) this.resizes?.observe(scroller);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizes?.disconnect();
  }

  protected override updated(): void {
    const scroller = this.scroller;
    if (!scroller || !this.active) return;
    if (this.restoreFromBottom !== null) scroller.scrollTop = scroller.scrollHeight - this.restoreFromBottom;
    else this.keepPinned();
  }

  private keepPinned(): void {
    const scroller = this.scroller;
    if (scroller && this.pinned) scroller.scrollTop = scroller.scrollHeight;
  }

  override render() {
    return html`
      <div class="scroller" @scroll=${this.onScroll}>
        <div class="older">
          ${
            this.canLoadOlder
              ? html`<button type="button" ?disabled=${this.loadingOlder} @click=${() => fire(this, 'load-older', null)}>
                ${this.loadingOlder ? 'Loading older messages…' : 'Load older messages'}
              </button>`
              : this.log.messages.length === 0
                ? html`<p class="start">No messages yet.</p>`
                : this.startReached || this.log.messages[0]?.seq === 1
                  ? html`<p class="start">This is the start of the room.</p>`
                  : nothing
          }
        </div>
        <ol aria-label=${`Conversation in ${this.roomTitle}`}>
          ${repeat(timeline(this.log), keyOf, (entry) =>
            entry.kind === 'message' ? this.renderMessage(entry.message) : renderNotice(entry.notice),
          )}
        </ol>
      </div>
    `;
  }

  private renderMessage(message: ChatMessage) {
    const mine = message.author.id === this.selfId;
    return html`
      <li class=${mine ? 'message mine' : 'message'} data-testid="message" data-seq=${message.seq}>
        <div class="meta">
          <span class="author" data-testid="message-author">${message.author.username}</span>
          <time datetime=${message.createdAt} title=${fullTime(message.createdAt)}>${shortTime(message.createdAt)}</time>
        </div>
        <div class="text" data-testid="message-text">${message.text}</div>
      </li>
    `;
  }

  private onScroll(): void {
    const scroller = this.scroller;
    if (scroller) this.pinned = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight <= PIN_SLACK_PX;
  }
}

function renderNotice(notice: Notice) {
  return html`
    <li class="notice" data-testid="system-message">
      ${notice.text} <time datetime=${notice.at} title=${fullTime(notice.at)}>${shortTime(notice.at)}</time>
    </li>
  `;
}

function keyOf(entry: TimelineEntry): string {
  return entry.kind === 'message' ? `m${entry.message.seq}` : entry.notice.key;
}

/** True when the change added messages above the ones shown before. */
function isPrepend(before: MessageLog, after: MessageLog): boolean {
  const was = oldestSeq(before);
  const now = oldestSeq(after);
  return was !== null && now !== null && now < was;
}

customElements.define('message-list', MessageList);

declare global {
  interface HTMLElementTagNameMap {
    'message-list': MessageList;
  }
}
