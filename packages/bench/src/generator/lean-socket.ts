/**
 * The generator's WebSocket client: just enough RFC 6455 for a load generator, over a bare TCP socket.
 *
 * Why not `ws`: its client costs ~400 µs of CPU per connection (an http.ClientRequest, a response parser,
 * key hashing, stream plumbing), and the generator shares the machine with what it measures. In a join
 * storm 2000 connections are opened at once; with `ws` the generator alone burned about a second of CPU in
 * the storm's first second, and the joins measured then waited on the generator, not on the server. Here a
 * connection is one TCP socket, a request written as one string and a status line read back.
 *
 * What it does not do, because the servers it measures never need it: extensions, fragmented frames from
 * the server are joined but never sent, binary frames are delivered like text. The masking key is all
 * zeros (masking is then the identity): the servers accept it, and the generator saves the XOR.
 */
import { connect, type Socket } from 'node:net';

export const ReadyState = { Connecting: 0, Open: 1, Closing: 2, Closed: 3 } as const;
export type ReadyState = (typeof ReadyState)[keyof typeof ReadyState];

export interface LeanSocketEvents {
  /** Every text or binary message, whole. The buffer is only valid during the call. */
  message(data: Buffer): void;
  open(): void;
  /** The connection ended; `reason` is set when it failed before opening (refused, reset, HTTP error). */
  close(reason?: string): void;
}

const HEADER_END = Buffer.from('\r\n\r\n');
/** Any 16 bytes, base64: servers check the shape, not the randomness. */
const KEY = 'bGVhbi1nZW5lcmF0b3I9PQ==';

const Opcode = { Continuation: 0, Text: 1, Binary: 2, Close: 8, Ping: 9, Pong: 10 } as const;

export class LeanSocket {
  readyState: ReadyState = ReadyState.Connecting;
  private readonly tcp: Socket;
  /** Bytes received and not yet parsed (a frame or the handshake answer cut across reads). */
  private pending: Buffer | undefined;
  /** Parts of a fragmented message so far. */
  private fragments: Buffer[] | undefined;

  constructor(
    url: URL,
    headers: Record<string, string>,
    private readonly events: LeanSocketEvents,
  ) {
    let request = `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n`;
    for (const [name, value] of Object.entries(headers)) request += `${name}: ${value}\r\n`;
    request += '\r\n';
    this.tcp = connect({ host: url.hostname, port: Number(url.port || 80), noDelay: true });
    this.tcp.write(request);
    this.tcp.on('data', (chunk: Buffer) => this.receive(chunk));
    this.tcp.on('error', (err) => this.finish(err.message));
    this.tcp.on('close', () =>
      this.finish(this.readyState === ReadyState.Connecting ? 'closed before open' : undefined),
    );
  }

  send(text: string): void {
    if (this.readyState !== ReadyState.Open) return;
    this.tcp.write(encodeFrame(Opcode.Text, text));
  }

  /** Sends several messages in one write. */
  sendAll(texts: string[]): void {
    if (this.readyState !== ReadyState.Open) return;
    this.tcp.write(Buffer.concat(texts.map((text) => encodeFrame(Opcode.Text, text))));
  }

  /** Ends the connection with a close frame (1000). */
  close(): void {
    if (this.readyState >= ReadyState.Closing) return;
    if (this.readyState === ReadyState.Open) this.tcp.end(encodeFrame(Opcode.Close, Buffer.from([0x03, 0xe8])));
    else this.tcp.destroy();
    this.readyState = ReadyState.Closing;
  }

  /** Drops the connection at once. */
  terminate(): void {
    this.tcp.destroy();
  }

  private finish(reason: string | undefined): void {
    if (this.readyState === ReadyState.Closed) return;
    this.readyState = ReadyState.Closed;
    this.tcp.destroy();
    this.events.close(reason);
  }

  private receive(chunk: Buffer): void {
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    if (this.readyState === ReadyState.Connecting) {
      const end = data.indexOf(HEADER_END);
      if (end < 0) {
        this.pending = data;
        return;
      }
      // "HTTP/1.1 101 Switching Protocols"
      const status = data.toString('latin1', 9, 12);
      if (status !== '101') {
        this.finish(`handshake refused with HTTP ${status}`);
        return;
      }
      this.readyState = ReadyState.Open;
      this.events.open();
      data = data.subarray(end + HEADER_END.length);
    }
    let at = 0;
    while (this.readyState !== ReadyState.Closed) {
      const consumed = this.frameAt(data, at);
      if (consumed === 0) break;
      at += consumed;
    }
    if (at < data.length) this.pending = Buffer.from(data.subarray(at));
  }

  /** Handles the frame that starts at `at`; returns its length, or 0 when it has not all arrived. */
  private frameAt(data: Buffer, at: number): number {
    if (data.length - at < 2) return 0;
    const first = data[at] as number;
    const second = data[at + 1] as number;
    let length = second & 0x7f;
    let start = at + 2;
    if (length === 126) {
      if (data.length - at < 4) return 0;
      length = data.readUInt16BE(at + 2);
      start = at + 4;
    } else if (length === 127) {
      if (data.length - at < 10) return 0;
      length = Number(data.readBigUInt64BE(at + 2));
      start = at + 10;
    }
    if (second & 0x80) start += 4; // servers do not mask; tolerated, never seen
    if (data.length < start + length) return 0;
    const payload = data.subarray(start, start + length);
    this.handleFrame(first & 0x0f, (first & 0x80) !== 0, payload);
    return start + length - at;
  }

  private handleFrame(opcode: number, fin: boolean, payload: Buffer): void {
    switch (opcode) {
      case Opcode.Text:
      case Opcode.Binary:
        if (fin) this.events.message(payload);
        else this.fragments = [Buffer.from(payload)];
        return;
      case Opcode.Continuation:
        if (!this.fragments) return;
        this.fragments.push(Buffer.from(payload));
        if (fin) {
          const whole = Buffer.concat(this.fragments);
          this.fragments = undefined;
          this.events.message(whole);
        }
        return;
      case Opcode.Ping:
        this.tcp.write(encodeFrame(Opcode.Pong, payload));
        return;
      case Opcode.Close:
        if (this.readyState === ReadyState.Open) this.tcp.end(encodeFrame(Opcode.Close, payload.subarray(0, 2)));
        this.readyState = ReadyState.Closing;
        return;
    }
  }
}

/** A client frame: FIN, masked with the zero key (so the payload goes as it is, written straight in). */
function encodeFrame(opcode: number, payload: Buffer | string): Buffer {
  const length = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  const headerLength = length < 126 ? 6 : length < 65536 ? 8 : 14;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) {
    frame[1] = 0x80 | length;
  } else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  frame.fill(0, headerLength - 4, headerLength);
  if (typeof payload === 'string') frame.write(payload, headerLength);
  else payload.copy(frame, headerLength);
  return frame;
}
