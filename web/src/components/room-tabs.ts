/** One tab per open room. Arrow keys, Home and End move between tabs, as the ARIA tabs pattern expects. */
import type { Room } from '@chat/protocol';
import { css, html, LitElement } from 'lit';
import type { UnreadCounts } from '../lib/unread';
import { fire } from './events';
import { sharedStyles } from './shared-styles';
import { unreadBadge } from './unread-badge';

export class RoomTabs extends LitElement {
  static override properties = {
    rooms: { attribute: false },
    active: { attribute: false },
    unread: { attribute: false },
  };
  declare rooms: readonly Room[];
  declare active: string | null;
  declare unread: UnreadCounts;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      [role='tablist'] {
        display: flex;
        gap: 0.25rem;
        overflow-x: auto;
        border-bottom: 1px solid var(--chat-border);
        padding-bottom: 0.25rem;
      }
      [role='tab'] {
        flex: none;
        max-width: 14rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      [role='tab'][aria-selected='true'] {
        border-color: var(--chat-accent);
        background: #e6edfb;
        font-weight: 600;
      }
    `,
  ];

  constructor() {
    super();
    this.rooms = [];
    this.active = null;
    this.unread = new Map();
  }

  override render() {
    return html`
      <div role="tablist" aria-label="Open rooms" @keydown=${this.onKeydown}>
        ${this.rooms.map((room) => {
          const selected = room.id === this.active;
          return html`<button
            type="button"
            role="tab"
            data-room-id=${room.id}
            aria-selected=${selected ? 'true' : 'false'}
            tabindex=${selected ? 0 : -1}
            @click=${() => fire(this, 'room-select', room.id)}
          >
            ${room.title} ${unreadBadge(this.unread.get(room.id) ?? 0)}
          </button>`;
        })}
      </div>
    `;
  }

  private onKeydown(event: KeyboardEvent): void {
    const index = this.rooms.findIndex((room) => room.id === this.active);
    const last = this.rooms.length - 1;
    const target = {
      ArrowRight: index >= last ? 0 : index + 1,
      ArrowLeft: index <= 0 ? last : index - 1,
      Home: 0,
      End: last,
    }[event.key];
    const room = target === undefined ? undefined : this.rooms[target];
    if (!room) return;
    event.preventDefault();
    fire(this, 'room-select', room.id);
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>(`[role='tab'][data-room-id='${CSS.escape(room.id)}']`)?.focus(),
    );
  }
}

customElements.define('room-tabs', RoomTabs);

declare global {
  interface HTMLElementTagNameMap {
    'room-tabs': RoomTabs;
  }
}
