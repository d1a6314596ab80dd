/** The room directory: every room the user may see, which ones are open, and their unread counts. */
import type { Room } from '@chat/protocol';
import { css, html, LitElement, nothing } from 'lit';
import type { UnreadCounts } from '../lib/unread';
import { fire } from './events';
import { sharedStyles } from './shared-styles';
import { unreadBadge } from './unread-badge';

export class RoomList extends LitElement {
  static override properties = {
    rooms: { attribute: false },
    openIds: { attribute: false },
    active: { attribute: false },
    unread: { attribute: false },
    loading: { type: Boolean },
    error: { attribute: false },
  };
  declare rooms: readonly Room[];
  declare openIds: ReadonlySet<string>;
  declare active: string | null;
  declare unread: UnreadCounts;
  declare loading: boolean;
  declare error: string | null;

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: block;
      }
      .head {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 0.5rem;
      }
      h2 {
        font-size: 1rem;
        margin: 0;
      }
      ul {
        list-style: none;
        margin: 0.5rem 0 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      .room {
        width: 100%;
        display: flex;
        align-items: center;
        gap: 0.4rem;
        text-align: start;
        border-color: transparent;
        background: transparent;
      }
      .room .title {
        flex: 1;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .open .room {
        font-weight: 600;
      }
      .room[aria-current='true'] {
        background: #e6edfb;
        border-color: var(--chat-accent);
      }
      .empty {
        color: var(--chat-muted);
      }
    `,
  ];

  constructor() {
    super();
    this.rooms = [];
    this.openIds = new Set();
    this.active = null;
    this.unread = new Map();
    this.loading = false;
    this.error = null;
  }

  override render() {
    return html`
      <nav aria-label="Rooms">
        <div class="head">
          <h2>Rooms</h2>
          <button type="button" aria-label="Refresh room list" ?disabled=${this.loading} @click=${() => fire(this, 'rooms-refresh', null)}>
            ↻
          </button>
        </div>
        ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
        <ul>
          ${this.rooms.map((room) => this.renderRoom(room))}
        </ul>
        ${this.rooms.length === 0 && !this.loading && !this.error ? html`<p class="empty">No rooms yet.</p>` : nothing}
      </nav>
    `;
  }

  private renderRoom(room: Room) {
    const open = this.openIds.has(room.id);
    return html`
      <li class=${open ? 'open' : ''} data-testid="room-list-item" data-room-id=${room.id}>
        <button
          type="button"
          class="room"
          aria-current=${room.id === this.active ? 'true' : 'false'}
          @click=${() => fire(this, 'room-open', room)}
        >
          <span class="title">${room.title}</span>
          ${room.staffOnly ? html`<span class="tag" data-testid="staff-only">Staff only</span>` : nothing}
          ${unreadBadge(this.unread.get(room.id) ?? 0)}
        </button>
      </li>
    `;
  }
}

customElements.define('room-list', RoomList);

declare global {
  interface HTMLElementTagNameMap {
    'room-list': RoomList;
  }
}
