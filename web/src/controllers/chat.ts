/**
 * The chat state of a signed-in page: which rooms are open, what each one holds, which is in view and what is
 * unread. Every change to a room's messages goes through mergeMessages, so live events, send replies, rejoins,
 * history pages, edits and deletions can arrive in any order without duplicates or an edit being undone.
 */
import type { ChatMessage, JoinResult, RemovedEvent, Room, RoomsChangedFrame } from '@chat/protocol';
import type { ReactiveControllerHost } from 'lit';
import { sessionValid } from '../api/auth';
import { describeError, errorCode, isTransient } from '../lib/errors';
import { MAX_HISTORY_PAGE, TYPING_EXPIRY_MS } from '../lib/limits';
import { newMessageId } from '../lib/message-id';
import {
  addNotice,
  applyChange,
  emptyLog,
  findGap,
  gapSize,
  hasOlder,
  latestSeq,
  type MessageLog,
  mergeMessages,
  type Notice,
  oldestSeq,
} from '../lib/message-log';
import { type Members, noMembers, withJoined, withLeft, withPage } from '../lib/members';
import { presenceText } from '../lib/presence';
import { resetNoticeText, resumeFields } from '../lib/resume';
import { type Typist, unexpired, withoutTypist, withTyping } from '../lib/typing';
import { clearUnread, countUnread, noUnread, type UnreadCounts } from '../lib/unread';
import { ConnectionController, type ConnectionOptions, type ServerEvent } from './connection';

/** One page of "load older messages". */
const OLDER_PAGE = 50;
/**
 * Tries of one send whose outcome is unknown (no answer in time, UNAVAILABLE, the socket dropped with it in
 * flight), each with the same message id: the server stores it once, and a repeat is answered with the stored
 * message, so it is shown once too. Between tries: RESEND_DELAY_MS, doubling; after a drop, the room's rejoin.
 */
const SEND_TRIES = 5;
const RESEND_DELAY_MS = 500;
const OUTCOME_UNKNOWN = new Set(['TIMEOUT', 'UNAVAILABLE', 'DISCONNECTED']);

export interface OpenRoom {
  room: Room;
  /**
   * `deleted`: an administrator deleted the room. `removed`: the server took the user out of it (they lost staff,
   * or it became staff-only). Either way the messages stay readable until the user closes it, and the room is
   * neither rejoined after a reconnect nor left on close; a removed room is joined again only when the user opens
   * it again.
   */
  phase: 'joining' | 'joined' | 'refused' | 'deleted' | 'removed';
  /** Why the join was refused, or why the last send or history request failed. */
  error: string | null;
  /**
   * The join failed for a reason that may pass (the service or the connection was away), so asking again is
   * worth offering. A refusal (no access, no such room) is not retried: opening the room again from the list does.
   */
  canRetry: boolean;
  log: MessageLog;
  /**
   * The incarnation (epoch) of the room that `log` holds messages of; null until the first join. A rejoin names
   * it with the last seq held, so that the server fills in after it, or resets the log when the room was re-created.
   */
  logEpoch: number | null;
  /** The server has no messages before the oldest loaded one. */
  startReached: boolean;
  loadingOlder: boolean;
  /** Set after the first successful join; later joins are rejoins whose new messages count as unread. */
  joinedOnce: boolean;
  /** Who is in the room now, on any device: from the join reply and its pages, kept live by joined and left. */
  members: Members;
  /** Others typing in the room now. */
  typists: readonly Typist[];
}

export function canLoadOlder(room: OpenRoom): boolean {
  return room.phase === 'joined' && !room.startReached && hasOlder(room.log);
}

/** The server no longer has this socket in the room, and will not take it back by itself. */
function isOut(entry: OpenRoom | undefined): boolean {
  return entry?.phase === 'deleted' || entry?.phase === 'removed';
}

export interface ChatOptions {
  /** The signed-in user's id (a function: the host gets its user as a property after construction). */
  selfId(): string;
  onSessionEnded(): void;
  /** The room list changed; called after the open rooms have taken the change in. */
  onRoomsChanged?(change: RoomsChangedFrame): void;
  /** The socket is back after a drop: anything sent while it was away was missed. */
  onReconnected?(): void;
  /** Overrides for the connection (tests pass a fake socket). */
  connection?: Partial<ConnectionOptions>;
}

type PendingNotice = Omit<Notice, 'afterSeq'>;

/** Lifecycle (connect on attach, close on detach) belongs to the ConnectionController it owns. */
export class ChatController {
  readonly connection: ConnectionController;
  /** Open rooms in the order they were opened. */
  rooms: ReadonlyMap<string, OpenRoom> = new Map();
  active: string | null = null;
  unread: UnreadCounts = noUnread;
  /** The latest line for the screen-reader live region, with an id so a repeat is announced again. */
  announcement: { id: number; text: string } | null = null;

  /** Join/leave events that arrive before the join reply, placed once the room's messages are known. */
  private readonly pendingNotices = new Map<string, PendingNotice[]>();
  private readonly filling = new Set<string>();
  private readonly refill = new Set<string>();
  /** Per room, the last send given up on: sent again (the composer kept the text), it keeps its message id. */
  private readonly unsent = new Map<string, { text: string; id: string }>();
  /** Sends waiting for their room to be joined again after a drop: told true once it is, false if it never will. */
  private readonly rejoinWaiters = new Map<string, ((joined: boolean) => void)[]>();
  private counter = 0;
  private openedBefore = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: ChatOptions,
  ) {
    this.connection = new ConnectionController(host, {
      onEvent: (event) => this.onEvent(event),
      onOpen: () => this.opened(),
      onSessionEnded: () => options.onSessionEnded(),
      sessionValid,
      ...options.connection,
    });
  }

  get connected(): boolean {
    return this.connection.status === 'connected';
  }

  openRoom(room: Room): void {
    // Ids are reused: a room opened under the id of a deleted one starts afresh in that tab.
    const existing = this.rooms.get(room.id);
    if (!existing || existing.phase === 'deleted') {
      this.put(room.id, {
        room,
        phase: 'joining',
        error: null,
        canRetry: false,
        log: emptyLog,
        logEpoch: null,
        startReached: false,
        loadingOlder: false,
        joinedOnce: false,
        members: noMembers,
        typists: [],
      });
      // While disconnected the join waits for rejoinAll.
      if (this.connected) void this.join(room.id);
    } else if (existing.phase === 'removed' || existing.phase === 'refused') {
      // Opened again by the user: access may be back (or granted since the refusal). The messages stay; the join
      // adds what was missed.
      this.patch(room.id, { room, phase: 'joining', error: null });
      if (this.connected) void this.join(room.id);
    }
    this.select(room.id);
  }

  closeRoom(id: string): void {
    const entry = this.rooms.get(id);
    if (!entry) return;
    const rooms = new Map(this.rooms);
    rooms.delete(id);
    this.rooms = rooms;
    this.pendingNotices.delete(id);
    this.rejoined(id, false);
    this.unread = clearUnread(this.unread, id);
    if (this.active === id) this.active = null;
    const next = [...rooms.keys()].at(-1);
    if (this.active === null && next !== undefined) this.select(next);
    this.host.requestUpdate();
    if (!isOut(entry)) void this.leave(id);
  }

  select(id: string): void {
    if (!this.rooms.has(id)) return;
    this.active = id;
    this.unread = clearUnread(this.unread, id);
    this.host.requestUpdate();
  }

  /** Joins a room again after a failure that may have passed (the user pressed "Try again"). */
  retry(id: string): void {
    if (isOut(this.rooms.get(id))) return;
    if (this.connected) void this.join(id);
    else this.patch(id, { phase: 'joining', error: null });
  }

  dismissError(id: string): void {
    this.patch(id, { error: null });
  }

  /**
   * Resolves true once the server stored the message; on false the error is on the room. A send whose outcome is
   * unknown is sent again with the same message id (SEND_TRIES), so nothing typed is lost or shown twice.
   */
  async send(id: string, text: string): Promise<boolean> {
    const unsent = this.unsent.get(id);
    const frame = { type: 'send', room: id, text, id: unsent?.text === text ? unsent.id : newMessageId() } as const;
    for (let tries = 1; ; tries++) {
      const wentOut = this.connected;
      try {
        const message = await this.connection.request(frame);
        this.unsent.delete(id);
        this.merge(id, [message], false);
        this.patch(id, { error: null });
        return true;
      } catch (error) {
        const code = errorCode(error);
        // Asked with no socket, nothing went out; otherwise it may have been stored, and goes again under its id.
        const unknown = wentOut && code !== null && OUTCOME_UNKNOWN.has(code);
        if (unknown && tries < SEND_TRIES && (await this.readyToResend(id, code === 'DISCONNECTED', tries))) continue;
        this.unsent.set(id, { text, id: frame.id });
        this.patch(id, { error: `Message not sent. ${describeError(error)}` });
        return false;
      }
    }
  }

  /** Waits to send again: for the room's rejoin after a drop, else a moment. False: the room is gone. */
  private async readyToResend(id: string, dropped: boolean, tries: number): Promise<boolean> {
    if (!dropped) await new Promise((resolve) => setTimeout(resolve, RESEND_DELAY_MS * 2 ** (tries - 1)));
    const entry = this.rooms.get(id);
    if (!entry || isOut(entry) || entry.phase === 'refused') return false;
    if (entry.phase === 'joined' && this.connected) return true;
    return new Promise((resolve) => this.rejoinWaiters.set(id, [...(this.rejoinWaiters.get(id) ?? []), resolve]));
  }

  /** Tells the sends waiting for a room whether it is joined again (false: closed, refused, taken away). */
  private rejoined(id: string, joined: boolean): void {
    const waiters = this.rejoinWaiters.get(id);
    this.rejoinWaiters.delete(id);
    for (const resolve of waiters ?? []) resolve(joined);
  }

  /** Resolves true once the server stored the new text; on false the error is on the room. */
  editMessage(id: string, messageId: string, text: string): Promise<boolean> {
    return this.change(id, 'Message not edited.', () =>
      this.connection.request({ type: 'edit', room: id, id: messageId, text }),
    );
  }

  /** Resolves true once the server deleted the message; on false the error is on the room. */
  deleteMessage(id: string, messageId: string): Promise<boolean> {
    return this.change(id, 'Message not deleted.', () =>
      this.connection.request({ type: 'delete', room: id, id: messageId }),
    );
  }

  async loadOlder(id: string): Promise<void> {
    const entry = this.rooms.get(id);
    const before = entry ? oldestSeq(entry.log) : null;
    if (!entry || before === null || entry.loadingOlder || !canLoadOlder(entry)) return;
    this.patch(id, { loadingOlder: true });
    try {
      const { messages } = await this.connection.request({ type: 'history', room: id, before, limit: OLDER_PAGE });
      this.merge(id, messages, false);
      // Retention may have removed the start of the room even though seq 1 was never seen.
      if (messages.length === 0) this.patch(id, { startReached: true });
    } catch (error) {
      // Taken out of the room meanwhile: the panel already says so.
      if (!isOut(this.rooms.get(id))) {
        this.patch(id, { error: `Older messages could not be loaded. ${describeError(error)}` });
      }
    } finally {
      this.patch(id, { loadingOlder: false });
    }
  }

  private opened(): void {
    if (this.openedBefore) this.options.onReconnected?.();
    this.openedBefore = true;
    for (const [id, entry] of this.rooms) if (!isOut(entry)) void this.join(id);
  }

  private async join(id: string): Promise<void> {
    this.patch(id, { phase: 'joining', error: null, canRetry: false });
    const held = this.rooms.get(id);
    let result: JoinResult;
    try {
      // A rejoin names where its copy of the room ends: the reply is what was missed, in one round trip.
      const position = held ? resumeFields(held.log, held.logEpoch) : {};
      result = await this.connection.request({ type: 'join', room: id, ...position });
    } catch (error) {
      this.pendingNotices.delete(id);
      // A dropped socket is not a refusal: opened() joins again once it is back.
      if (errorCode(error) === 'DISCONNECTED' || isOut(this.rooms.get(id))) return;
      this.patch(id, { phase: 'refused', error: describeError(error), canRetry: isTransient(error) });
      this.rejoined(id, false);
      return;
    }
    const entry = this.rooms.get(id);
    if (!entry || isOut(entry)) {
      // Closed, deleted or taken away while the join was in flight.
      void this.leave(id);
      return;
    }
    // Unread after a rejoin: what is newer than the latest held, or all of a re-created room.
    let unreadAfter = latestSeq(entry.log);
    let log = entry.log;
    if (result.reset) {
      // Too much was missed, or the room is another incarnation: the reply replaces what the room showed.
      const recreated = entry.logEpoch !== null && entry.logEpoch !== result.room.epoch;
      const notice = { key: `n${++this.counter}`, text: resetNoticeText(recreated), at: new Date().toISOString() };
      log = addNotice(emptyLog, notice);
      if (recreated) {
        unreadAfter = null;
        this.unread = clearUnread(this.unread, id);
      }
    }
    const merged = mergeMessages(log, result.messages);
    log = merged.log;
    for (const notice of this.pendingNotices.get(id) ?? []) log = addNotice(log, notice);
    this.pendingNotices.delete(id);
    this.put(id, {
      ...entry,
      room: result.room,
      phase: 'joined',
      error: null,
      log,
      logEpoch: result.room.epoch,
      startReached: result.reset ? false : entry.startReached,
      joinedOnce: true,
      members: withPage(noMembers, result.members, result.memberCount),
      typists: [],
    });
    this.rejoined(id, true);
    if (entry.joinedOnce) {
      const missed = merged.added.filter((message) => unreadAfter === null || message.seq > unreadAfter);
      this.countUnread(id, missed);
    }
    void this.fillGaps(id);
    void this.pageMembers(id);
  }

  private async change(id: string, failure: string, request: () => Promise<ChatMessage>): Promise<boolean> {
    try {
      // The reply and the room's event carry the same version; whichever comes second changes nothing.
      this.applyChange(id, await request());
      this.patch(id, { error: null });
      return true;
    } catch (error) {
      // The server's NOT_FOUND wording is about the request; the reader wants to know what happened.
      const reason = errorCode(error) === 'NOT_FOUND' ? 'It no longer exists.' : describeError(error);
      this.patch(id, { error: `${failure} ${reason}` });
      return false;
    }
  }

  private async leave(id: string): Promise<void> {
    if (!this.connected) return; // the gateway drops a closed socket's rooms by itself
    try {
      await this.connection.request({ type: 'leave', room: id });
    } catch {
      // Leaving is best effort: NOT_IN_ROOM or a drop both mean we are out.
    }
  }

  /** Tells the room's others that the user is typing (renewed by the composer while they type), or stopped. */
  typing(id: string, stop: boolean): void {
    if (!this.connected || this.rooms.get(id)?.phase !== 'joined') return;
    // Of the moment: a lost one is replaced by the next, and a refusal has nothing to tell the user.
    this.connection.request({ type: 'typing', room: id, ...(stop && { stop }) }).catch(() => {});
  }

  /** Asks for the members a join reply could not list (it lists at most 200), page by page. */
  private async pageMembers(id: string): Promise<void> {
    try {
      for (;;) {
        const entry = this.rooms.get(id);
        if (entry?.phase !== 'joined' || entry.members.users.length >= entry.members.count) return;
        const after = entry.members.users.at(-1)?.id;
        const page = await this.connection.request({ type: 'members', room: id, ...(after && { after }) });
        const now = this.rooms.get(id);
        if (!now || page.members.length === 0) return;
        this.patch(id, { members: withPage(now.members, page.members, page.memberCount) });
      }
    } catch {
      // The list stays as far as it got; the count is still right.
    }
  }

  /** Someone typing, or no longer: shown until TYPING_EXPIRY_MS after the last renewal. */
  private typingEvent(entry: OpenRoom, user: { id: string; username: string }, stop: boolean): void {
    if (user.id === this.options.selfId()) return;
    const id = entry.room.id;
    if (stop) {
      this.patch(id, { typists: withoutTypist(entry.typists, user.id) });
      return;
    }
    this.patch(id, { typists: withTyping(entry.typists, user) });
    setTimeout(() => {
      const now = this.rooms.get(id);
      if (now && now.typists.length > 0) this.patch(id, { typists: unexpired(now.typists) });
    }, TYPING_EXPIRY_MS + 50);
  }

  /** Pages back through history until no hole is left between the loaded messages. */
  private async fillGaps(id: string): Promise<void> {
    if (this.filling.has(id)) {
      this.refill.add(id);
      return;
    }
    this.filling.add(id);
    try {
      for (;;) {
        const entry = this.rooms.get(id);
        const gap = entry?.phase === 'joined' ? findGap(entry.log) : null;
        if (!gap) break;
        const limit = Math.min(MAX_HISTORY_PAGE, gapSize(gap));
        const { messages } = await this.connection.request({ type: 'history', room: id, before: gap.before, limit });
        // Nothing new means the server cannot fill this hole; asking again would spin.
        if (this.merge(id, messages, true).length === 0) break;
      }
    } catch (error) {
      if (errorCode(error) !== 'DISCONNECTED' && !isOut(this.rooms.get(id))) {
        this.patch(id, { error: `Some missed messages could not be loaded. ${describeError(error)}` });
      }
    } finally {
      this.filling.delete(id);
    }
    if (this.refill.delete(id)) void this.fillGaps(id);
  }

  private onEvent(event: ServerEvent): void {
    if (event.type === 'rooms-changed') {
      this.roomsChanged(event);
      return;
    }
    if (event.type === 'removed') {
      this.removed(event);
      return;
    }
    const entry = this.rooms.get(event.room);
    // A room the socket is out of hears nothing more.
    if (!entry || isOut(entry)) return;
    switch (event.type) {
      case 'message': {
        // Their message ends their typing.
        if (entry.typists.length > 0) {
          this.patch(event.room, { typists: withoutTypist(entry.typists, event.message.author.id) });
        }
        const added = this.merge(event.room, [event.message], true);
        if (added.length > 0) {
          this.announce(entry, event.message);
          void this.fillGaps(event.room);
        }
        return;
      }
      case 'edited':
      case 'deleted':
        this.applyChange(event.room, event.message);
        return;
      case 'joined':
      case 'left': {
        const names = event.users.map((user) => user.username);
        const members = (event.type === 'joined' ? withJoined : withLeft)(entry.members, event.users);
        this.patch(event.room, { members });
        this.notice(this.rooms.get(event.room) ?? entry, presenceText(names, event.type));
        return;
      }
      case 'typing':
        this.typingEvent(entry, event.user, event.stop === true);
        return;
    }
  }

  /** An open room that was renamed or deleted shows it in its tab and panel; then the room list follows. */
  private roomsChanged(change: RoomsChangedFrame): void {
    const { id } = change.room;
    const entry = this.rooms.get(id);
    // A room created under the id of one deleted here is another room: the deleted one's panel stays as it is.
    if (entry && entry.phase !== 'deleted') {
      if (change.kind === 'deleted') this.markDeleted(id);
      else this.patch(id, { room: change.room });
    }
    this.options.onRoomsChanged?.(change);
  }

  /**
   * The server took this socket out of an open room: the room was deleted (its `rooms-changed` usually came
   * first), or the user may no longer be in it. The panel keeps its messages and says why.
   */
  private removed({ room: id, reason }: RemovedEvent): void {
    const entry = this.rooms.get(id);
    if (!entry || isOut(entry)) return;
    if (reason === 'ROOM_INVALID') {
      this.markDeleted(id);
      return;
    }
    this.pendingNotices.delete(id);
    this.patch(id, { phase: 'removed', error: null, loadingOlder: false });
    this.rejoined(id, false);
  }

  private markDeleted(id: string): void {
    this.pendingNotices.delete(id);
    this.rejoined(id, false);
    this.unread = clearUnread(this.unread, id);
    this.patch(id, { phase: 'deleted', error: null, loadingOlder: false });
  }

  /** A change to something already said: shown in place, never unread, never announced as new. */
  private applyChange(id: string, message: ChatMessage): void {
    const entry = this.rooms.get(id);
    if (!entry) return;
    const { log, added } = applyChange(entry.log, message);
    if (log === entry.log) return;
    this.put(id, { ...entry, log });
    // It took the place of a message that was missed, so more may be missing around it.
    if (added.length > 0) void this.fillGaps(id);
  }

  /** One system line per join/leave event, however many users it names; held until a joining room is in. */
  private notice(entry: OpenRoom, text: string): void {
    const id = entry.room.id;
    const notice: PendingNotice = {
      key: `n${++this.counter}`,
      text,
      at: new Date().toISOString(),
    };
    if (entry.phase === 'joining') {
      this.pendingNotices.set(id, [...(this.pendingNotices.get(id) ?? []), notice]);
    } else {
      this.patch(id, { log: addNotice(entry.log, notice) });
    }
  }

  /** Merges into a room's log; returns what was new (changed versions of known messages are not new). */
  private merge(id: string, messages: readonly ChatMessage[], unread: boolean): ChatMessage[] {
    const entry = this.rooms.get(id);
    if (!entry) return [];
    const { log, added } = mergeMessages(entry.log, messages);
    if (log === entry.log) return added;
    this.put(id, { ...entry, log });
    if (unread) this.countUnread(id, added);
    return added;
  }

  private countUnread(id: string, added: readonly ChatMessage[]): void {
    this.unread = countUnread(this.unread, id, added, { activeRoom: this.active, selfId: this.options.selfId() });
  }

  private announce(entry: OpenRoom, message: ChatMessage): void {
    if (message.author.id === this.options.selfId()) return;
    const text =
      entry.room.id === this.active
        ? `${message.author.username}: ${message.text.slice(0, 300)}`
        : `New message in ${entry.room.title} from ${message.author.username}`;
    this.announcement = { id: ++this.counter, text };
  }

  private patch(id: string, changes: Partial<OpenRoom>): void {
    const entry = this.rooms.get(id);
    if (entry) this.put(id, { ...entry, ...changes });
  }

  /** Replaces a room's entry with a new object, so components given it see a changed property. */
  private put(id: string, entry: OpenRoom): void {
    const rooms = new Map(this.rooms);
    rooms.set(id, entry);
    this.rooms = rooms;
    this.host.requestUpdate();
  }
}
