/** The list of rooms from the REST API, refreshed on demand (the socket carries no room-list events). */
import type { Room } from '@chat/protocol';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { listRooms } from '../api/rooms';
import { describeError } from '../lib/errors';

export class RoomDirectoryController implements ReactiveController {
  rooms: readonly Room[] = [];
  loading = false;
  error: string | null = null;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.refresh();
  }

  async refresh(): Promise<void> {
    this.loading = true;
    this.host.requestUpdate();
    try {
      this.rooms = await listRooms();
      this.error = null;
    } catch (error) {
      this.error = `Rooms could not be loaded. ${describeError(error)}`;
    } finally {
      this.loading = false;
      this.host.requestUpdate();
    }
  }
}
