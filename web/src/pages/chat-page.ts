/**
 * The chat: room directory, tabs of open rooms and one panel per open room, all on the one socket that the
 * ChatController owns. Stays mounted (hidden) while the admin page is shown, so rooms stay open.
 */
import type { PublicUser, Room } from '@chat/protocol';
import { css, html, LitElement, nothing } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import { repeat } from 'lit/directives/repeat.js';
import '../components/connection-status';
import type { DeleteRequest, EditRequest, SendRequest, TypingChange } from '../components/events';
import '../components/room-list';
import type { RoomPanel } from '../components/room-panel';
import '../components/room-panel';
import '../components/room-tabs';
import { sharedStyles } from '../components/shared-styles';
import { ChatController } from '../controllers/chat';
import { RoomDirectoryController } from '../controllers/room-directory';
import { hrefOf } from '../lib/route';

type Detail<T> = CustomEvent<T>;

export class ChatPage extends LitElement {
  static override properties = {
    user: { attribute: false },
    active: { type: Boolean },
    roomsShown: { state: true },
  };
  declare user: PublicUser;
  /** The chat is the page in view (not the admin page). */
  declare active: boolean;
  /** Narrow screens only: the room list is shown in place of the open room (the "Rooms" button). */
  declare roomsShown: boolean;

  private readonly chat = new ChatController(this, {
    selfId: () => this.user.id,
    onSessionEnded: () => this.dispatchEvent(new Event('session-ended', { bubbles: true, composed: true })),
    onRoomsChanged: (change) => this.directory.apply(change),
    onReconnected: () => void this.directory.refresh(),
  });
  private readonly directory = new RoomDirectoryController(this);

  static override styles = [
    sharedStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
      }
      .layout {
        flex: 1;
        min-height: 0;
        display: grid;
        grid-template-columns: minmax(12rem, 16rem) minmax(0, 1fr);
        gap: 1rem;
        padding: 0.75rem 1rem 1rem;
      }
      /* Positioned, so the visually hidden words of its unread badges scroll with it. */
      room-list {
        position: relative;
        overflow-y: auto;
      }
      .rooms {
        display: flex;
        flex-direction: column;
        gap: 0.5rem;
        min-height: 0;
        min-width: 0;
      }
      room-panel {
        flex: 1;
      }
      .status {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.5rem 1rem 0;
      }
      connection-status {
        margin-inline-start: auto;
      }
      .rooms-toggle {
        display: none;
      }
      .rooms-toggle[aria-expanded='true'] {
        background: #e6edfb;
        border-color: var(--chat-accent);
      }
      .empty {
        color: var(--chat-muted);
      }
      .empty p {
        margin: 0 0 0.5rem;
      }
      .empty a {
        color: var(--chat-accent);
        font-weight: 600;
      }
      /* Narrow screens show one thing at a time: the room list, or the open room across the whole width. The
         "Rooms" button switches between them; with no room open there is only the list (and, while there are no
         rooms at all, the hint on what to do). */
      @media (max-width: 700px) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
          grid-template-rows: minmax(0, 1fr);
          padding: 0.5rem;
          gap: 0.5rem;
        }
        .layout[data-narrow='both'] {
          grid-template-rows: auto minmax(0, 1fr);
        }
        .layout[data-narrow='list'] .rooms,
        .layout[data-narrow='room'] room-list {
          display: none;
        }
        .status {
          padding: 0.25rem 0.5rem 0;
        }
        .rooms-toggle {
          display: inline-flex;
          align-items: center;
          gap: 0.4rem;
        }
      }
    `,
  ];

  constructor() {
    super();
    this.active = true;
    this.roomsShown = false;
  }

  override render() {
    const { chat, directory } = this;
    const open = [...chat.rooms.values()];
    const narrow = open.length > 0 ? (this.roomsShown ? 'list' : 'room') : directory.rooms.length > 0 ? 'list' : 'both';
    return html`
      <div class="status">
        ${
          open.length > 0
            ? html`<button
              type="button"
              class="rooms-toggle"
              aria-controls="room-list"
              aria-expanded=${this.roomsShown ? 'true' : 'false'}
              @click=${() => (this.roomsShown = !this.roomsShown)}
            >
              <span aria-hidden="true">☰</span> Rooms
            </button>`
            : nothing
        }
        <connection-status
          .status=${chat.connection.status}
          .attempt=${chat.connection.attempt}
          @reconnect-now=${() => chat.connection.reconnectNow()}
        ></connection-status>
      </div>
      <div class="layout" data-narrow=${narrow}>
        <room-list
          id="room-list"
          .rooms=${directory.rooms}
          .openIds=${new Set(chat.rooms.keys())}
          .active=${chat.active}
          .unread=${chat.unread}
          ?loading=${directory.loading}
          .error=${directory.error}
          @room-open=${(event: Detail<Room>) => this.openRoom(event.detail)}
          @rooms-refresh=${() => directory.refresh()}
          @keydown=${this.onRoomListKeydown}
        ></room-list>
        <section class="rooms" aria-label="Open rooms">
          ${
            open.length === 0
              ? this.renderNoOpenRoom()
              : html`<room-tabs
                .rooms=${open.map((entry) => entry.room)}
                .active=${chat.active}
                .unread=${chat.unread}
                @room-select=${(event: Detail<string>) => chat.select(event.detail)}
              ></room-tabs>`
          }
          ${repeat(
            open,
            (entry) => entry.room.id,
            (entry) => html`<room-panel
              role="tabpanel"
              aria-label=${entry.room.title}
              data-room-id=${entry.room.id}
              ?hidden=${entry.room.id !== chat.active}
              .entry=${entry}
              ?active=${entry.room.id === chat.active && this.active}
              ?connected=${chat.connected}
              .selfId=${this.user.id}
              ?canModerate=${this.user.isStaff || this.user.isAdmin}
              @room-close=${(event: Detail<string>) => chat.closeRoom(event.detail)}
              @room-retry=${(event: Detail<string>) => chat.retry(event.detail)}
              @error-dismiss=${(event: Detail<string>) => chat.dismissError(event.detail)}
              @load-older=${() => chat.loadOlder(entry.room.id)}
              @message-send=${(event: Detail<SendRequest>) => this.send(entry.room.id, event.detail)}
              @composer-typing=${(event: Detail<TypingChange>) => chat.typing(entry.room.id, event.detail.stop)}
              @message-edit=${(event: Detail<EditRequest>) => this.edit(entry.room.id, event.detail)}
              @message-delete=${(event: Detail<DeleteRequest>) => this.delete(entry.room.id, event.detail)}
            ></room-panel>`,
          )}
        </section>
      </div>
      <div class="visually-hidden" aria-live="polite" data-testid="announcer">
        ${chat.announcement ? keyed(chat.announcement.id, html`<p>${chat.announcement.text}</p>`) : nothing}
      </div>
    `;
  }

  /** What to do next when no room is open: pick one, or, while there are none, how rooms come to be. */
  private renderNoOpenRoom() {
    const { directory } = this;
    if (directory.rooms.length > 0) return html`<p class="empty">Choose a room from the list to start chatting.</p>`;
    if (!directory.loaded) return nothing;
    return html`<div class="empty" data-testid="no-rooms-hint">
      <p>There are no rooms yet.</p>
      ${
        this.user.isAdmin
          ? html`<p><a href=${hrefOf('admin')}>Create a room</a> on the admin page; it shows in the list here at once.</p>`
          : html`<p>An administrator has to create one; it shows in the list here as soon as they do.</p>`
      }
    </div>`;
  }

  /** Escape in the room list, where it covers an open room (narrow screens), goes back to that room. */
  private readonly onRoomListKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.roomsShown) return;
    this.roomsShown = false;
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('.rooms-toggle')?.focus());
  };

  private async openRoom(room: Room): Promise<void> {
    this.roomsShown = false;
    this.chat.openRoom(room);
    await this.updateComplete;
    const panel = this.renderRoot.querySelector<RoomPanel>(`room-panel[data-room-id='${CSS.escape(room.id)}']`);
    await panel?.updateComplete;
    panel?.focusComposer();
  }

  private async send(room: string, request: SendRequest): Promise<void> {
    request.done(await this.chat.send(room, request.text));
  }

  private async edit(room: string, request: EditRequest): Promise<void> {
    request.done(await this.chat.editMessage(room, request.messageId, request.text));
  }

  private async delete(room: string, request: DeleteRequest): Promise<void> {
    request.done(await this.chat.deleteMessage(room, request.messageId));
  }
}

customElements.define('chat-page', ChatPage);

declare global {
  interface HTMLElementTagNameMap {
    'chat-page': ChatPage;
  }
}
