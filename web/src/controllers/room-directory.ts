/**
 * The list of rooms: read from the REST API on attach and on demand, then kept live by the socket's
 * `rooms-changed` frames, which the page hands to apply(). The page refreshes it after a reconnect, since
 * changes made while the socket was away were never sent.
 */
import type { Room, RoomsChangedFrame } from '@chat/protocol';
import { Task, TaskStatus } from '@lit/task';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { listRooms } from '../api/rooms';
import { describeError } from '../lib/errors';
import { applyRoomChange } from '../lib/room-changes';

export class RoomDirectoryController implements ReactiveController {
  rooms: readonly Room[] = [];
  /** The list was read at least once, so an empty one means there are no rooms (not that they are on their way). */
  loaded = false;

  /** Changes heard while the latest read is under way: its answer may have been read before them. */
  private heardDuringRead: RoomsChangedFrame[] = [];
  /** A refresh started while another is under way supersedes it: only the latest answer is used. */
  private readonly read: Task<[], readonly Room[]>;

  constructor(private readonly host: ReactiveControllerHost) {
    this.read = new Task(host, {
      task: async () => {
        const heard: RoomsChangedFrame[] = [];
        this.heardDuringRead = heard;
        // Each change carries the whole room, so applying one the answer already reflects changes nothing.
        return heard.reduce(applyRoomChange, await listRooms());
      },
      autoRun: false,
      onComplete: (rooms) => {
        this.rooms = rooms;
        this.loaded = true;
      },
    });
    host.addController(this);
  }

  get loading(): boolean {
    return this.read.status === TaskStatus.PENDING;
  }

  /** Why the latest read failed; kept while the next one is under way, gone once one succeeds. */
  get error(): string | null {
    return this.read.error === undefined ? null : `Rooms could not be loaded. ${describeError(this.read.error)}`;
  }

  hostConnected(): void {
    void this.refresh();
  }

  refresh(): Promise<void> {
    return this.read.run([]);
  }

  /** Applies one `rooms-changed` frame in place. */
  apply(change: RoomsChangedFrame): void {
    if (this.loading) this.heardDuringRead.push(change);
    const rooms = applyRoomChange(this.rooms, change);
    if (rooms === this.rooms) return;
    this.rooms = rooms;
    this.host.requestUpdate();
  }
}
