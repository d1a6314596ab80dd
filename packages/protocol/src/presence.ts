/**
 * The join/leave notices of a room, gathered. When a crowd arrives at once (a reconnect storm after a deploy,
 * a class opening a room), one event per member per member is quadratic: 200 joins into a room of 200 are
 * 40,000 frames, and the notice every member sees is a wall of "x joined". Gathered, they are a handful of
 * events per room naming many users each.
 *
 * The rule (documented in docs/protocol.md): a notice after a quiet spell goes out at once; notices that come
 * within PRESENCE_WINDOW_MS of the last event go out together when the window ends. Order is kept: a run of
 * one kind is one event, a change of kind starts the next. The owner calls `flush(room)` before it publishes
 * anything else in the room, so a user's "joined" always comes before their first message.
 */
import { PRESENCE_BATCH_MAX, PRESENCE_WINDOW_MS } from './limits.js';
import type { UserRef } from './models.js';
import { presenceEventJson } from './spliced-json.js';

export type PresenceKind = 'joined' | 'left';

interface Run {
  kind: PresenceKind;
  /** Each user once per event, in order of arrival, already serialized. */
  users: string[];
  ids: Set<string>;
}

interface RoomPresence {
  runs: Run[];
  /** Set while the window after the last event is open: notices that come meanwhile wait for its end. */
  window: ReturnType<typeof setTimeout> | undefined;
}

export interface PresenceGathererOptions {
  windowMs?: number;
}

export class PresenceGatherer {
  /** Rooms with a window open or notices waiting; a room is forgotten once a window ends quietly. */
  private readonly rooms = new Map<string, RoomPresence>();
  private readonly windowMs: number;

  /** `emit` gets each event serialized, ready to publish as it is, with its kind. */
  constructor(
    private readonly emit: (room: string, frame: string, kind: PresenceKind) => void,
    options: PresenceGathererOptions = {},
  ) {
    this.windowMs = options.windowMs ?? PRESENCE_WINDOW_MS;
  }

  add(room: string, kind: PresenceKind, user: UserRef): void {
    let state = this.rooms.get(room);
    if (!state) {
      state = { runs: [], window: undefined };
      this.rooms.set(room, state);
    }
    appendTo(state.runs, kind, user);
    if (state.window === undefined) this.flush(room);
  }

  /** Sends what is gathered for the room now. Cheap when nothing is: call it before any other event. */
  flush(room: string): void {
    const state = this.rooms.get(room);
    if (!state || state.runs.length === 0) return;
    const runs = state.runs;
    state.runs = [];
    clearTimeout(state.window);
    state.window = setTimeout(() => this.windowEnded(room), this.windowMs);
    const roomJson = JSON.stringify(room);
    for (const run of runs) {
      for (let at = 0; at < run.users.length; at += PRESENCE_BATCH_MAX) {
        const users = run.users.slice(at, at + PRESENCE_BATCH_MAX);
        this.emit(room, presenceEventJson(run.kind, roomJson, users), run.kind);
      }
    }
  }

  /** Sends everything gathered, in every room, and stops the timers (on shutdown). */
  flushAll(): void {
    for (const room of this.rooms.keys()) this.flush(room);
    for (const state of this.rooms.values()) clearTimeout(state.window);
    this.rooms.clear();
  }

  private windowEnded(room: string): void {
    const state = this.rooms.get(room);
    if (!state) return;
    state.window = undefined;
    if (state.runs.length > 0) this.flush(room);
    else this.rooms.delete(room);
  }
}

function appendTo(runs: Run[], kind: PresenceKind, user: UserRef): void {
  let run = runs.at(-1);
  if (run?.kind !== kind) {
    run = { kind, users: [], ids: new Set() };
    runs.push(run);
  }
  if (run.ids.has(user.id)) return;
  run.ids.add(user.id);
  run.users.push(JSON.stringify({ id: user.id, username: user.username }));
}
