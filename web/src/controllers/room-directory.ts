/**
 * The list of rooms: read from the REST API on attach and on demand, then kept live by the socket's
 * `rooms-changed` frames, which the page hands to apply(). The page refreshes it after a reconnect, since
 * changes made while the socket was away were never sent.
 */
import type { Room, RoomsChangedFrame } from '@chat/protocol';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { listRooms } from '../api/rooms';
import { describeError } from '../lib/errors';
import { applyRoomChange } from '../lib/room-changes';

export class RoomDirectoryController implements ReactiveController {
  rooms: readonly Room[] = [];
  loading = false;
  error: string | null = null;
  /** The list was read at least once, so an empty one means there are no rooms (not that they are on their way). */
  loaded = false;

  /** Counts refreshes, so only the latest one's answer is used. */
  private refreshes = 0;
  /** Changes heard since the latest refresh began: its answer may have been read before them. */
  private heardSinceRefresh: RoomsChangedFrame[] = [];

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.refresh();
  }

  async refresh(): Promise<void> {
    const current = ++this.refreshes;
    this.heardSinceRefresh = [];
    this.loading = true;
    this.host.requestUpdate();
    try {
      const rooms = await listRooms();
      if (current !== this.refreshes) return;
      // Each change carries the whole room, so applying one the answer already reflects changes nothing.
      this.rooms = this.heardSinceRefresh.reduce(applyRoomChange, rooms);
      this.error = null;
      this.loaded = true;
    } catch (error) {
      if (current !== this.refreshes) return;
      this.error = `Rooms could not be loaded. ${describeError(error)}`;
    } finally {
      if (current === this.refreshes) {
        this.loading = false;
        this.heardSinceRefresh = [];
        this.host.requestUpdate();
      }
    }
  }

  /** Applies one `rooms-changed` frame in place. */
  apply(change: RoomsChangedFrame): void {
    if (this.loading) this.heardSinceRefresh.push(change);
    const rooms = applyRoomChange(this.rooms, change);
    if (rooms === this.rooms) return;
    this.rooms = rooms;
    this.host.requestUpdate();
  }
}
