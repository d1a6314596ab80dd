/**
 * A client that does what docs/protocol.md asks of one when its socket drops: reconnect (to the next gateway,
 * with a backoff), rejoin its rooms, and fill in what it missed by seq with `history`. It keeps one message
 * per seq, so what it shows can be compared with the database.
 */
import type { ChatMessage, HistoryResult, JoinResult, ServerFrame } from '@chat/protocol';
import { openSocket, type TestSocket } from '@chat/test-kit';
import { ok } from '../replies.js';
import { sleep } from './harness.js';

const HISTORY_PAGE = 100;

export interface Disconnect {
  at: number;
  code: number;
  gateway: string;
  /** How long until the client was back in all its rooms with no gap; undefined while it is not. */
  resumedAfterMs?: number;
}

export class ResumingClient {
  socket!: TestSocket;
  /** Per room, the messages by seq: each seq once, however many times it was delivered. */
  readonly messages = new Map<string, Map<number, ChatMessage>>();
  readonly disconnects: Disconnect[] = [];
  deliveries = 0;
  historyFetches = 0;
  /** Events that arrived with a seq lower than one already delivered live on the same socket. */
  outOfOrder = 0;
  private gatewayIndex: number;
  private stopping = false;
  private connecting = false;
  private ready!: Promise<void>;
  private readonly filling = new Map<string, Promise<void>>();

  constructor(
    private readonly token: string,
    private readonly gateways: () => string[],
    startAt: number,
    private readonly rooms: string[],
    private readonly options: {
      backoffMs?: number;
      /** Awaited before reconnecting: lets a test keep a client away for a while (a phone in a tunnel). */
      beforeReconnect?: () => Promise<void>;
    } = {},
  ) {
    this.gatewayIndex = startAt;
    for (const room of rooms) this.messages.set(room, new Map());
  }

  private get backoffMs(): number {
    return this.options.backoffMs ?? 300;
  }

  /** Connects and joins every room. */
  async start(): Promise<void> {
    this.ready = this.connect();
    await this.ready;
  }

  /** Resolves when the client is connected and in all its rooms. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The highest seq up to which the client has every message of the room. */
  contiguous(room: string): number {
    const seen = this.messages.get(room) as Map<number, ChatMessage>;
    let seq = 0;
    while (seen.has(seq + 1)) seq++;
    return seq;
  }

  shown(room: string): ChatMessage[] {
    return [...(this.messages.get(room)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.socket?.ws.terminate();
  }

  private async connect(): Promise<void> {
    this.connecting = true;
    try {
      for (let attempt = 0; !this.stopping; attempt++) {
        const urls = this.gateways();
        const url = urls[this.gatewayIndex % urls.length] as string;
        let socket: TestSocket | undefined;
        try {
          socket = await openSocket(url, { token: this.token });
          this.attach(socket, url);
          for (const room of this.rooms) {
            const joined = ok<JoinResult>(await socket.request({ type: 'join', room }));
            for (const message of joined.messages) this.record(room, message);
            await this.fill(room);
          }
          return;
        } catch {
          // That gateway is gone or not ready: try the next one after a pause.
          socket?.ws.terminate();
          this.gatewayIndex++;
          await sleep(this.backoffMs * Math.min(attempt + 1, 4));
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private attach(socket: TestSocket, url: string): void {
    this.socket = socket;
    const lastLive = new Map<string, number>();
    socket.ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as ServerFrame;
      if (frame.type !== 'message') return;
      if ((lastLive.get(frame.room) ?? 0) > frame.message.seq) this.outOfOrder++;
      lastLive.set(frame.room, frame.message.seq);
      this.record(frame.room, frame.message);
      if (frame.message.seq > this.contiguous(frame.room) + 1) void this.fill(frame.room).catch(() => {});
    });
    void socket.closed.then(({ code }) => {
      if (this.stopping || this.connecting || this.socket !== socket) return;
      const disconnect: Disconnect = { at: Date.now(), code, gateway: url };
      this.disconnects.push(disconnect);
      this.gatewayIndex++;
      this.ready = sleep(this.backoffMs)
        .then(() => this.options.beforeReconnect?.())
        .then(() => this.connect())
        .then(() => {
          disconnect.resumedAfterMs = Date.now() - disconnect.at;
        });
    });
  }

  private record(room: string, message: ChatMessage): void {
    this.deliveries++;
    this.messages.get(room)?.set(message.seq, message);
  }

  /** Asks for the missing seqs below the newest one it has, page by page (one fill per room at a time). */
  private fill(room: string): Promise<void> {
    const running = this.filling.get(room);
    if (running) return running;
    const work = (async () => {
      const seen = this.messages.get(room) as Map<number, ChatMessage>;
      for (;;) {
        const have = this.contiguous(room);
        const above = [...seen.keys()].filter((seq) => seq > have);
        if (above.length === 0) return;
        this.historyFetches++;
        const page = ok<HistoryResult>(
          await this.socket.request({ type: 'history', room, before: Math.min(...above), limit: HISTORY_PAGE }),
        );
        const before = seen.size;
        for (const message of page.messages) this.record(room, message);
        // Nothing new: the store itself has no such seq. Leave the gap for the test to see.
        if (seen.size === before) return;
      }
    })().finally(() => this.filling.delete(room));
    this.filling.set(room, work);
    return work;
  }
}
