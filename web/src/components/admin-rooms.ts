/** Room administration: create, rename, toggle staff-only, delete. */
import type { Room } from '@chat/protocol';
import { html, LitElement, nothing } from 'lit';
import { createRoom, deleteRoom, listRooms, updateRoom } from '../api/rooms';
import { AdminActionController } from '../controllers/admin-action';
import { MAX_ROOM_TITLE_LENGTH } from '../lib/limits';
import { adminStyles } from './admin-styles';
import { sharedStyles } from './shared-styles';

export class AdminRooms extends LitElement {
  static override properties = {
    rooms: { state: true },
    confirming: { state: true },
  };
  declare rooms: readonly Room[];
  /** The room whose Delete was pressed once and now waits for confirmation (no blocking confirm()). */
  declare confirming: string | null;

  private readonly action = new AdminActionController(this);

  static override styles = [sharedStyles, adminStyles];

  constructor() {
    super();
    this.rooms = [];
    this.confirming = null;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.action.run(async () => {
      this.rooms = await listRooms();
      return null;
    });
  }

  override render() {
    const { error, status } = this.action;
    return html`
      <section aria-labelledby="rooms-heading">
        <h2 id="rooms-heading">Rooms</h2>
        <form class="create" @submit=${this.onCreate}>
          <label>Room title <input type="text" name="title" required maxlength=${MAX_ROOM_TITLE_LENGTH} /></label>
          <label class="check"><input type="checkbox" name="staffOnly" /> Staff only</label>
          <button type="submit" class="primary">Create room</button>
        </form>
        ${error ? html`<p role="alert">${error}</p>` : nothing}
        <p role="status" class="status">${status ?? ''}</p>
        <ul class="rows" aria-label="All rooms">
          ${this.rooms.map((room) => this.renderRoom(room))}
        </ul>
        ${
          this.rooms.length === 0 && !this.action.busy && !error
            ? html`<p class="muted" data-testid="no-rooms">
              No rooms yet. Create the first one above; it shows in everyone's room list at once.
            </p>`
            : nothing
        }
      </section>
    `;
  }

  private renderRoom(room: Room) {
    return html`
      <li class="row" data-testid="admin-room" data-room-id=${room.id}>
        <form @submit=${(event: SubmitEvent) => this.onRename(event, room)}>
          <label class="field">
            Title<span class="visually-hidden"> of ${room.title}</span>
            <input type="text" name="title" .value=${room.title} required maxlength=${MAX_ROOM_TITLE_LENGTH} />
          </label>
          <button type="submit" aria-label=${`Rename ${room.title}`}>Rename</button>
        </form>
        <label class="check">
          <input type="checkbox" .checked=${room.staffOnly} @change=${(event: Event) => this.onStaffOnly(event, room)} />
          Staff only<span class="visually-hidden">: ${room.title}</span>
        </label>
        ${
          this.confirming === room.id
            ? html`<button type="button" class="danger" @click=${() => this.onDelete(room)}>
                Confirm delete<span class="visually-hidden"> ${room.title}</span>
              </button>
              <button type="button" @click=${() => (this.confirming = null)}>Cancel</button>`
            : html`<button
              type="button"
              class="danger"
              aria-label=${`Delete ${room.title}`}
              @click=${() => (this.confirming = room.id)}
            >
              Delete
            </button>`
        }
      </li>
    `;
  }

  private onCreate(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const title = String(data.get('title') ?? '').trim();
    if (!title) return;
    void this.action.run(async () => {
      const room = await createRoom({ title, staffOnly: data.get('staffOnly') === 'on' });
      this.rooms = [...this.rooms, room];
      form.reset();
      return `Room ${room.title} created.`;
    });
  }

  private onRename(event: SubmitEvent, room: Room): void {
    event.preventDefault();
    const title = String(new FormData(event.target as HTMLFormElement).get('title') ?? '').trim();
    if (!title || title === room.title) return;
    void this.action.run(async () => {
      this.replace(await updateRoom(room.id, { title }));
      return `Room ${room.title} renamed to ${title}.`;
    });
  }

  private onStaffOnly(event: Event, room: Room): void {
    const box = event.target as HTMLInputElement;
    const staffOnly = box.checked;
    void this.action.run(async () => {
      try {
        this.replace(await updateRoom(room.id, { staffOnly }));
      } catch (error) {
        box.checked = room.staffOnly;
        throw error;
      }
      return `${room.title} is now ${staffOnly ? 'staff only' : 'open to everyone'}.`;
    });
  }

  private onDelete(room: Room): void {
    this.confirming = null;
    void this.action.run(async () => {
      await deleteRoom(room.id);
      this.rooms = this.rooms.filter((other) => other.id !== room.id);
      return `Room ${room.title} deleted.`;
    });
  }

  private replace(room: Room): void {
    this.rooms = this.rooms.map((other) => (other.id === room.id ? room : other));
  }
}

customElements.define('admin-rooms', AdminRooms);

declare global {
  interface HTMLElementTagNameMap {
    'admin-rooms': AdminRooms;
  }
}
