/**
 * The one WebSocket of a signed-in page: opens it, correlates requests with replies by ref, hands events (room
 * events, room-list changes, removals from rooms) on, notices dead connections with a heartbeat, and reconnects
 * with backoff and jitter until the session ends.
 */
import type {
  ChatMessage,
  ClientFrame,
  HistoryResult,
  JoinResult,
  MembersResult,
  PingResult,
  RemovedEvent,
  RoomEvent,
  RoomsChangedFrame,
} from '@chat/protocol';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Backoff } from '../lib/backoff';
import { errorCode, RequestError } from '../lib/errors';
import { CLOSE_SESSION_ENDED } from '../lib/limits';
import { PendingRequests } from '../lib/pending-requests';
import { isReplyData, parseServerFrame } from '../lib/server-frame';

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'ended';

type WithoutRef<F> = F extends unknown ? Omit<F, 'ref'> : never;
export type OutgoingFrame = WithoutRef<ClientFrame>;
/** Every frame that is not a reply. */
export type ServerEvent = RoomEvent | RoomsChangedFrame | RemovedEvent;

/** What a successful reply carries, per request type. */
export interface ReplyData {
  join: JoinResult;
  leave: unknown;
  send: ChatMessage;
  edit: ChatMessage;
  delete: ChatMessage;
  history: HistoryResult;
  ping: PingResult;
  members: MembersResult;
  typing: unknown;
}

/** The part of WebSocket this controller uses, so tests can pass a fake. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: { code: number }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

const OPEN = 1;

export interface ConnectionOptions {
  onEvent(event: ServerEvent): void;
  /** After every successful (re)connect: the place to (re)join rooms. */
  onOpen(): void;
  /** The gateway closed with 1008, or the session check said the cookie is no longer valid. */
  onSessionEnded(): void;
  /**
   * Asked when a socket closes before it ever opened: a rejected upgrade (expired cookie) looks the same to a
   * browser as a network failure. Resolve false only when the session is definitely gone.
   */
  sessionValid?: () => Promise<boolean>;
  url?: string;
  createSocket?: (url: string) => SocketLike;
  backoff?: Backoff;
  requestTimeoutMs?: number;
  heartbeatMs?: number;
  /** How long a socket must stay up before the backoff starts from the beginning again. */
  stableMs?: number;
}

export function defaultSocketUrl(): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

export class ConnectionController implements ReactiveController {
  status: ConnectionStatus = 'connecting';
  /** When the next reconnect attempt is due (epoch ms), while reconnecting. */
  retryAt: number | null = null;

  private readonly backoff: Backoff;
  private readonly pending: PendingRequests;
  private socket: SocketLike | null = null;
  private stopped = true;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: ConnectionOptions,
  ) {
    this.backoff = options.backoff ?? new Backoff();
    this.pending = new PendingRequests(options.requestTimeoutMs ?? 10_000);
    host.addController(this);
  }

  /** Reconnect attempts since the connection was last stable. */
  get attempt(): number {
    return this.backoff.attempt;
  }

  hostConnected(): void {
    this.stopped = false;
    globalThis.addEventListener?.('online', this.reconnectNow);
    this.connect();
  }

  hostDisconnected(): void {
    this.stopped = true;
    globalThis.removeEventListener?.('online', this.reconnectNow);
    clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (socket) {
      this.detach(socket);
      socket.close(1000, 'page closed');
    }
    this.pending.failAll(new RequestError('DISCONNECTED', 'connection closed'));
  }

  /** Sends a request and resolves with the reply's data; rejects with a RequestError. */
  request<F extends OutgoingFrame>(frame: F): Promise<ReplyData[F['type']]> {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN || this.status !== 'connected') {
      return Promise.reject(new RequestError('DISCONNECTED', 'not connected'));
    }
    const ref = this.pending.nextRef();
    const reply = this.pending.wait(ref);
    socket.send(JSON.stringify({ ...frame, ref }));
    return reply.then((data) => {
      if (!isReplyData(frame.type, data)) throw new RequestError('INTERNAL', `malformed ${frame.type} reply`);
      return data as ReplyData[F['type']];
    });
  }

  /** Skips the wait before the next attempt (a "retry now" button, or the browser coming back online). */
  readonly reconnectNow = (): void => {
    if (this.stopped || this.status !== 'reconnecting' || this.socket) return;
    this.connect();
  };

  private connect(): void {
    clearTimeout(this.retryTimer);
    this.retryAt = null;
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url) as SocketLike);
    const socket = create(this.options.url ?? defaultSocketUrl());
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.setStatus('connected');
      this.stableTimer = setTimeout(() => this.backoff.reset(), this.options.stableMs ?? 5_000);
      this.startHeartbeat(socket);
      this.options.onOpen();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = (event) => this.closed(socket, event.code, opened);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    const frame = parseServerFrame(data);
    if (!frame) return;
    if (frame.type === 'reply') this.pending.settle(frame);
    else this.options.onEvent(frame);
  }

  private closed(socket: SocketLike, code: number, opened: boolean): void {
    if (socket !== this.socket) return;
    this.detach(socket);
    this.pending.failAll(new RequestError('DISCONNECTED', 'connection lost'));
    if (this.stopped) return;
    if (code === CLOSE_SESSION_ENDED) {
      this.end();
      return;
    }
    this.setStatus('reconnecting');
    this.scheduleRetry();
    if (!opened && this.options.sessionValid) {
      void this.options.sessionValid().then((valid) => {
        if (!valid && !this.stopped) this.end();
      });
    }
  }

  private end(): void {
    clearTimeout(this.retryTimer);
    this.retryAt = null;
    this.setStatus('ended');
    this.options.onSessionEnded();
  }

  private scheduleRetry(): void {
    const delay = this.backoff.next();
    this.retryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.host.requestUpdate();
  }

  private startHeartbeat(socket: SocketLike): void {
    // A browser only learns of a half-open TCP connection when it writes; an unanswered ping means the socket is dead.
    this.heartbeatTimer = setInterval(() => {
      this.request({ type: 'ping' }).catch((error: unknown) => {
        if (errorCode(error) !== 'TIMEOUT' || socket !== this.socket) return;
        socket.close(4000, 'heartbeat timeout');
        // Do not wait for a close handshake that a dead connection will never finish.
        this.closed(socket, 4000, true);
      });
    }, this.options.heartbeatMs ?? 25_000);
  }

  private detach(socket: SocketLike): void {
    socket.onopen = socket.onclose = socket.onmessage = null;
    if (this.socket === socket) this.socket = null;
    clearTimeout(this.stableTimer);
    clearInterval(this.heartbeatTimer);
  }

  private setStatus(status: ConnectionStatus): void {
    this.status = status;
    this.host.requestUpdate();
  }
}
