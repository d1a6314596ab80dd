/**
 * A stand-in for the gateway on the far side of a fake WebSocket: keeps per-room messages with gapless seqs,
 * answers join (with `since` and `epoch` too)/history/send/edit/delete/leave/ping like the protocol says (replies arrive on a later timer
 * tick), and broadcasts messages, edits and deletions to the rooms the current socket joined, and room-list
 * changes to every socket, and `removed` to a socket the server takes out of a room. The client is alice; she may edit her own messages and delete her own, or anyone's
 * when `selfIsAdmin`. A send's message id is stored once: a repeat is answered with the stored message.
 */
import type { ChatMessage, ClientFrame, JoinFrame, Room, ServerFrame } from '@chat/protocol';
import type { SocketLike } from '../../src/controllers/connection';

export class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  closedWith: number | null = null;

  constructor(private readonly server: FakeServer) {}

  send(data: string): void {
    this.server.handle(this, JSON.parse(data) as ClientFrame);
  }

  close(code = 1000): void {
    this.readyState = 3;
    this.closedWith = code;
  }

  /** Test side: the upgrade succeeded. */
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }

  /** Test side: the connection is gone (restart, network) with this close code. */
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }

  deliver(frame: ServerFrame): void {
    if (this.readyState === 1) this.onmessage?.({ data: JSON.stringify(frame) });
  }
}

export class FakeServer {
  readonly sockets: FakeSocket[] = [];
  readonly requests: ClientFrame[] = [];
  /** Rooms whose joins are refused with ROOM_ACCESS_DENIED. */
  readonly denied = new Set<string>();
  /** Rooms whose joins fail with UNAVAILABLE (the rooms service is away for a moment). */
  readonly unavailable = new Set<string>();
  /** Set false to hold replies (e.g. to see what the client does while waiting); see answerHeld. */
  answering = true;
  selfIsAdmin = false;
  /** How many of the next sends are stored and announced, then answered UNAVAILABLE (rooms died before answering). */
  unansweredCommits = 0;
  /** Sends stored, by message id. */
  private readonly sent = new Map<string, ChatMessage>();
  private clock = 0;
  /** Each room created gets the next: a room deleted and created again under its id is another incarnation. */
  private nextEpoch = 1;
  private readonly held: [FakeSocket, ClientFrame][] = [];
  private readonly rooms = new Map<string, { room: Room; messages: ChatMessage[] }>();
  private readonly joined = new Map<FakeSocket, Set<string>>();

  addRoom(id: string, count: number, staffOnly = false): Room {
    const room = { id, title: id[0]?.toUpperCase() + id.slice(1), staffOnly, epoch: this.nextEpoch++ };
    this.rooms.set(id, { room, messages: [] });
    this.toAll({ type: 'rooms-changed', kind: 'created', room });
    this.post(id, count);
    return room;
  }

  /** An administrator renamed a room or changed its staff-only flag: every socket hears of it. */
  updateRoom(id: string, changes: Partial<Omit<Room, 'id' | 'epoch'>>): Room {
    const entry = this.rooms.get(id);
    if (!entry) throw new Error(`no room ${id}`);
    entry.room = { ...entry.room, ...changes };
    this.toAll({ type: 'rooms-changed', kind: 'updated', room: entry.room });
    return entry.room;
  }

  /** An administrator deleted a room: every socket hears of it, then each member is removed, as the gateway does. */
  deleteRoom(id: string): void {
    const members = this.socketsIn(id);
    const epoch = this.rooms.get(id)?.room.epoch ?? 0;
    this.rooms.delete(id);
    this.toAll({ type: 'rooms-changed', kind: 'deleted', room: { id, epoch } });
    for (const socket of members) this.remove(socket, id, 'ROOM_INVALID');
  }

  /**
   * Alice may no longer be in a room (she lost staff, or it became staff-only; see updateRoom for the flag):
   * her sockets in it are taken out with `removed`, and her joins are refused from now on.
   */
  revokeAccess(id: string): void {
    this.denied.add(id);
    for (const socket of this.socketsIn(id)) this.remove(socket, id, 'ROOM_ACCESS_DENIED');
  }

  private remove(socket: FakeSocket, id: string, reason: 'ROOM_ACCESS_DENIED' | 'ROOM_INVALID'): void {
    this.roomsOf(socket).delete(id);
    socket.deliver({ type: 'removed', room: id, reason });
  }

  private toAll(frame: ServerFrame): void {
    for (const socket of this.sockets) socket.deliver(frame);
  }

  /** Stores `count` messages in a room and broadcasts them to sockets in the room. */
  post(roomId: string, count: number, author = { id: 'u-bob', username: 'bob' }, id?: string): ChatMessage[] {
    const entry = this.rooms.get(roomId);
    if (!entry) throw new Error(`no room ${roomId}`);
    const posted: ChatMessage[] = [];
    for (let i = 0; i < count; i++) {
      const seq = entry.messages.length + 1;
      const message = {
        id: id ?? `${roomId}-${seq}`,
        seq,
        author,
        text: `${roomId} #${seq}`,
        createdAt: new Date(0).toISOString(),
      };
      entry.messages.push(message);
      posted.push(message);
      for (const socket of this.socketsIn(roomId)) socket.deliver({ type: 'message', room: roomId, message });
    }
    return posted;
  }

  /** Changes a stored message's text (as its author did) and tells the room. */
  edit(roomId: string, seq: number, text: string): ChatMessage {
    return this.change(roomId, seq, 'edited', { text, editedAt: this.tick() });
  }

  /** Deletes a stored message (its author or an admin did) and tells the room. */
  delete(roomId: string, seq: number): ChatMessage {
    return this.change(roomId, seq, 'deleted', { text: '', deletedAt: this.tick() });
  }

  stored(roomId: string, seq: number): ChatMessage | undefined {
    return this.rooms.get(roomId)?.messages[seq - 1];
  }

  private change(roomId: string, seq: number, type: 'edited' | 'deleted', changes: Partial<ChatMessage>): ChatMessage {
    const entry = this.rooms.get(roomId);
    const current = entry?.messages[seq - 1];
    if (!entry || !current) throw new Error(`no message ${roomId} #${seq}`);
    const message = { ...current, ...changes };
    entry.messages[seq - 1] = message;
    this.broadcast({ type, room: roomId, message });
    return message;
  }

  /** Timestamps that always move forward, so versions compare like the server's. */
  private tick(): string {
    return new Date(Date.UTC(2025, 0, 1, 13, 0, ++this.clock)).toISOString();
  }

  broadcast(frame: ServerFrame & { room: string }): void {
    for (const socket of this.socketsIn(frame.room)) socket.deliver(frame);
  }

  get latestSocket(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was opened');
    return socket;
  }

  readonly createSocket = (): FakeSocket => {
    const socket = new FakeSocket(this);
    this.sockets.push(socket);
    return socket;
  };

  handle(socket: FakeSocket, frame: ClientFrame): void {
    this.requests.push(frame);
    if (this.answering) this.answer(socket, frame);
    else this.held.push([socket, frame]);
  }

  /** Answers again, starting with the requests held meanwhile, as the server state is now. */
  answerHeld(): void {
    this.answering = true;
    for (const [socket, frame] of this.held.splice(0)) this.answer(socket, frame);
  }

  private answer(socket: FakeSocket, frame: ClientFrame): void {
    const reply = (result: { ok: true; data: unknown } | { ok: false; code: string }) =>
      setTimeout(() => {
        const body = result.ok
          ? { type: 'reply', ref: frame.ref, ok: true, data: result.data }
          : {
              type: 'reply',
              ref: frame.ref,
              ok: false,
              error: { code: result.code, message: result.code.toLowerCase() },
            };
        socket.deliver(body as ServerFrame);
      }, 1);
    if (frame.type === 'ping') return void reply({ ok: true, data: { time: new Date(0).toISOString() } });
    const entry = this.rooms.get(frame.room);
    if (!entry) return void reply({ ok: false, code: 'ROOM_INVALID' });
    switch (frame.type) {
      case 'join': {
        if (this.denied.has(frame.room)) return void reply({ ok: false, code: 'ROOM_ACCESS_DENIED' });
        if (this.unavailable.has(frame.room)) return void reply({ ok: false, code: 'UNAVAILABLE' });
        this.roomsOf(socket).add(frame.room);
        return void reply({ ok: true, data: this.joinResult(entry, frame) });
      }
      case 'leave':
        this.roomsOf(socket).delete(frame.room);
        return void reply({ ok: true, data: {} });
      case 'history': {
        const before = frame.before ?? Number.MAX_SAFE_INTEGER;
        const older = entry.messages.filter((message) => message.seq < before).slice(-(frame.limit ?? 50));
        return void reply({ ok: true, data: { room: frame.room, messages: older } });
      }
      case 'send': {
        const repeat = frame.id === undefined ? undefined : this.sent.get(frame.id);
        if (repeat) return void reply({ ok: true, data: repeat });
        const [message] = this.post(frame.room, 1, { id: 'u-alice', username: 'alice' }, frame.id);
        if (frame.id !== undefined && message) this.sent.set(frame.id, message);
        if (this.unansweredCommits > 0) {
          this.unansweredCommits--;
          return void reply({ ok: false, code: 'UNAVAILABLE' });
        }
        return void reply({ ok: true, data: message });
      }
      case 'edit':
      case 'delete': {
        const target = entry.messages.find((message) => message.id === frame.id);
        if (!target || target.deletedAt) return void reply({ ok: false, code: 'NOT_FOUND' });
        const mine = target.author.id === 'u-alice';
        if (!mine && (frame.type === 'edit' || !this.selfIsAdmin)) return void reply({ ok: false, code: 'FORBIDDEN' });
        const message =
          frame.type === 'edit' ? this.edit(frame.room, target.seq, frame.text) : this.delete(frame.room, target.seq);
        return void reply({ ok: true, data: message });
      }
    }
  }

  /** As the protocol says: a join with `since` of this incarnation, at most 500 behind, gets what came after it. */
  private joinResult(entry: { room: Room; messages: ChatMessage[] }, { since, epoch }: JoinFrame) {
    // The room's members as the server lists them: here always alice alone (the client).
    const members = { members: [{ id: 'u-alice', username: 'alice' }], memberCount: 1 };
    const latest = { room: entry.room, messages: entry.messages.slice(-50), ...members };
    if (since === undefined) return latest;
    if (epoch !== entry.room.epoch || entry.messages.length - since > 500) return { ...latest, reset: true };
    const missed = entry.messages.filter((message) => message.seq > since);
    return { room: entry.room, messages: missed, reset: false, ...members };
  }

  private roomsOf(socket: FakeSocket): Set<string> {
    const rooms = this.joined.get(socket) ?? new Set<string>();
    this.joined.set(socket, rooms);
    return rooms;
  }

  private socketsIn(roomId: string): FakeSocket[] {
    return this.sockets.filter((socket) => socket.readyState === 1 && this.joined.get(socket)?.has(roomId));
  }
}

/** A ReactiveControllerHost that only counts update requests. */
export function fakeHost() {
  return {
    updates: 0,
    addController() {},
    removeController() {},
    requestUpdate() {
      this.updates += 1;
    },
    updateComplete: Promise.resolve(true),
  };
}
