/**
 * A room's messages and join/leave lines. Text is only ever bound as text, never parsed as HTML. Keeps the
 * view pinned to the newest message unless the reader scrolled up, and keeps the reader's place when older
 * messages are added above. Offers Edit and Delete on the reader's own messages (Delete on everyone's to staff
 * and administrators, who may moderate), one message at a time; the server decides, this only asks.
 */
import type { ChatMessage } from '@chat/protocol';
import { css, html, LitElement, nothing, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { emptyLog, type MessageLog, type Notice, oldestSeq, type TimelineEntry, timeline } from '../lib/message-log';
import { fullTime, shortTime } from '../lib/time';
import { type DeleteRequest, type EditRequest, fire } from './events';
import type { EditorSave } from './message-editor';
import './message-editor';
import { sharedStyles } from './shared-styles';

/** Within this many pixels of the bottom counts as "reading the newest messages". */
const PIN_SLACK_PX = 48;

export class MessageList extends LitElement {
  static override properties = {
    log: { attribute: false },
    roomTitle: { attribute: false },
    selfId: { attribute: false },
    canModerate: { type: Boolean },
    actionsDisabled: { type: Boolean },
    canLoadOlder: { type: Boolean },
    loadingOlder: { type: Boolean },
    startReached: { type: Boolean },
    active: { type: Boolean },
    editing: { state: true },
    confirming: { state: true },
    deleting: { state: true },
  };
  declare log: MessageLog;
  declare roomTitle: string;
  declare selfId: string;
  /** Admins may delete anyone's message. */
  /** Staff or administrator: may delete anyone's message (the server checks it again, as it is then). */
  declare canModerate: boolean;
  /** Edits and deletions cannot be sent right now (not connected, or not in the room). */
  declare actionsDisabled: boolean;
  declare canLoadOlder: boolean;
  declare loadingOlder: boolean;
  declare startReached: boolean;
  /** Set when the panel is shown, so the list can scroll into place once it has a size. */
  declare active: boolean;
  /** The seq of the message being edited. */
  declare editing: number | null;
  /** The seq of the message whose deletion waits for confirmation. */
  declare confirming: number | null;
  /** The confirmed deletion was sent and has no answer yet. */
  declare deleting: boolean;

  private pinned = true;
  /** What gets the keyboard after the next render, once the element it names exists. */
  private focusAfterRender: { seq: number; selector: string } | null = null;
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
      /* Positioned, so the visually hidden words in its buttons scroll with it and never stretch the page. */
      .scroller {
        position: relative;
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
      .edited {
        font-style: italic;
      }
      message-editor {
        margin-top: 0.4rem;
      }
      .actions {
        margin-inline-start: auto;
        padding-inline-start: 0.5rem;
        display: inline-flex;
        gap: 0.25rem;
        align-items: center;
        flex-wrap: wrap;
      }
      .prompt {
        color: var(--chat-text);
      }
      button.action {
        font-size: 0.8rem;
        padding: 0.1rem 0.45rem;
        min-height: 1.75rem;
      }
      button.action[aria-disabled='true'] {
        cursor: progress;
        opacity: 0.55;
      }
      /* With a mouse, the buttons show on the message being pointed at (or holding the keyboard); touch screens
         cannot hover, so there they always show. */
      @media (hover: hover) {
        .message:not(:hover):not(:focus-within):not(.confirming) .actions {
          opacity: 0;
        }
      }
      .notice.deleted:focus {
        outline: 3px solid var(--chat-accent);
        outline-offset: 2px;
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
    this.canModerate = false;
    this.actionsDisabled = false;
    this.editing = null;
    this.confirming = null;
    this.deleting = false;
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot.querySelector('.scroller');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('log')) {
      this.editing = this.unlessDeleted(this.editing);
      this.confirming = this.unlessDeleted(this.confirming);
    }
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
    this.moveFocus();
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
                ? html`<p class="start" data-testid="empty-room">No messages in ${this.roomTitle} yet.</p>`
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
    if (message.deletedAt !== undefined) return renderDeleted(message, message.deletedAt);
    const mine = message.author.id === this.selfId;
    const editing = this.editing === message.seq;
    const classes = ['message', mine ? 'mine' : '', this.confirming === message.seq ? 'confirming' : ''];
    return html`
      <li class=${classes.join(' ').trim()} data-testid="message" data-seq=${message.seq}>
        <div class="meta">
          <span class="author" data-testid="message-author">${message.author.username}</span>
          <time datetime=${message.createdAt} title=${fullTime(message.createdAt)}>${shortTime(message.createdAt)}</time>
          ${message.editedAt === undefined ? nothing : renderEdited(message.editedAt)}
          ${editing ? nothing : this.renderActions(message, mine)}
        </div>
        ${
          editing
            ? html`<message-editor
              .text=${message.text}
              ?disabled=${this.actionsDisabled}
              @edit-save=${(event: CustomEvent<EditorSave>) => this.onEditSave(message, event)}
              @edit-cancel=${(event: Event) => this.onEditCancel(message, event)}
            ></message-editor>`
            : html`<div class="text" data-testid="message-text">${message.text}</div>`
        }
      </li>
    `;
  }

  private renderActions(message: ChatMessage, mine: boolean) {
    const canDelete = mine || this.canModerate;
    if (!canDelete) return nothing;
    const whose = `${mine ? 'your' : `${message.author.username}'s`} message from ${shortTime(message.createdAt)}`;
    if (this.confirming === message.seq) {
      return html`<span class="actions" role="group" aria-label=${`Delete ${whose}?`} @keydown=${this.onConfirmKeydown}>
        <span class="prompt">Delete for everyone?</span>
        <button type="button" class="action danger" data-action="confirm-delete"
          aria-disabled=${this.deleting ? 'true' : 'false'}
          @click=${() => this.onDeleteConfirm(message)}>
          Confirm delete<span class="visually-hidden"> ${whose}</span>
        </button>
        <button type="button" class="action" data-action="cancel-delete"
          aria-disabled=${this.deleting ? 'true' : 'false'}
          @click=${() => this.onDeleteCancel(message)}>Cancel</button>
      </span>`;
    }
    const disabled = this.actionsDisabled || this.confirming !== null || this.editing !== null;
    return html`<span class="actions">
      ${
        mine
          ? html`<button type="button" class="action" data-action="edit" aria-label=${`Edit ${whose}`}
            ?disabled=${disabled} @click=${() => this.onEdit(message)}>Edit</button>`
          : nothing
      }
      <button type="button" class="action" data-action="delete" aria-label=${`Delete ${whose}`}
        ?disabled=${disabled} @click=${() => this.onDelete(message)}>Delete</button>
    </span>`;
  }

  private onEdit(message: ChatMessage): void {
    this.confirming = null;
    this.editing = message.seq;
  }

  private onEditSave(message: ChatMessage, event: CustomEvent<EditorSave>): void {
    event.stopPropagation();
    const editor = event.detail;
    const request: EditRequest = {
      messageId: message.id,
      text: editor.text,
      done: (saved) => {
        editor.done(saved);
        if (saved && this.editing === message.seq) this.closeEditor(message.seq);
      },
    };
    fire(this, 'message-edit', request);
  }

  private onEditCancel(message: ChatMessage, event: Event): void {
    event.stopPropagation();
    this.closeEditor(message.seq);
  }

  private closeEditor(seq: number): void {
    this.editing = null;
    this.focusLater(seq, '[data-action="edit"]');
  }

  private onDelete(message: ChatMessage): void {
    this.confirming = message.seq;
    // The least destructive choice gets the keyboard, so a second Enter does not delete.
    this.focusLater(message.seq, '[data-action="cancel-delete"]');
  }

  private onDeleteCancel(message: ChatMessage): void {
    if (this.deleting) return;
    this.confirming = null;
    this.focusLater(message.seq, '[data-action="delete"]');
  }

  private readonly onConfirmKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || this.confirming === null || this.deleting) return;
    event.preventDefault();
    const seq = this.confirming;
    this.confirming = null;
    this.focusLater(seq, '[data-action="delete"]');
  };

  private onDeleteConfirm(message: ChatMessage): void {
    if (this.deleting) return;
    this.deleting = true;
    const request: DeleteRequest = {
      messageId: message.id,
      done: (deleted) => {
        this.deleting = false;
        this.confirming = null;
        // Deleted: the placeholder line takes the message's place (and the keyboard); refused: back to Delete.
        this.focusLater(message.seq, deleted ? '' : '[data-action="delete"]');
      },
    };
    fire(this, 'message-delete', request);
  }

  /**
   * Gives the keyboard to `selector` in the message (or to the message itself) after the next render, which may
   * remove the element that has it now. Only when the user is still in this list: never away from elsewhere.
   */
  private focusLater(seq: number, selector: string): void {
    if (this.shadowRoot?.activeElement) this.focusAfterRender = { seq, selector };
  }

  /**
   * Deleted meanwhile (by an admin, in another tab, or just now, before the reply came): there is nothing left
   * to edit or delete, and the placeholder line keeps the keyboard if the message had it.
   */
  private unlessDeleted(seq: number | null): number | null {
    if (seq === null || this.isLive(seq)) return seq;
    const active = this.shadowRoot?.activeElement;
    const item = this.renderRoot.querySelector(`li[data-seq="${seq}"]`);
    if (active && item?.contains(active)) this.focusAfterRender = { seq, selector: '' };
    return null;
  }

  private moveFocus(): void {
    const target = this.focusAfterRender;
    this.focusAfterRender = null;
    if (!target) return;
    const item = this.renderRoot.querySelector<HTMLElement>(`li[data-seq="${target.seq}"]`);
    const element = target.selector ? item?.querySelector<HTMLElement>(target.selector) : item;
    element?.focus();
  }

  private isLive(seq: number): boolean {
    return this.log.messages.some((message) => message.seq === seq && message.deletedAt === undefined);
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

function renderEdited(editedAt: string) {
  return html`<span class="edited" data-testid="message-edited" title=${`Edited ${fullTime(editedAt)}`}>(edited)</span>`;
}

/** A deleted message keeps its place as a system line: no author, no text, only when it went. */
function renderDeleted(message: ChatMessage, deletedAt: string) {
  return html`
    <li class="notice deleted" data-testid="deleted-message" data-seq=${message.seq} tabindex="-1">
      Message deleted <time datetime=${deletedAt} title=${fullTime(deletedAt)}>${shortTime(deletedAt)}</time>
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
