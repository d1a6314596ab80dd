/**
 * The floor: what room fanout costs on this machine with nothing else in the way. A bare `ws` server in one
 * process that speaks the same frames as the gateway (join with the last 50 messages, leave, send, ping,
 * joined/left notices gathered per room by the protocol's rule), with no auth, no persistence and no second
 * hop. Each event is serialized once and
 * the same bytes go to every member, and a socket's frames of one event-loop turn leave in one write: the
 * cheapest fanout this platform allows, so that the stack is measured against the best, not a straw man.
 *
 * Run: node dist/floor-server.js [port]  (prints "listening <port>" when ready). The bearer token's text is
 * taken as the username.
 */
import { randomUUID } from 'node:crypto';
import { HISTORY_ON_JOIN, MAX_FRAME_BYTES, PresenceGatherer } from '@chat/protocol';
import { type WebSocket, WebSocketServer } from 'ws';

const SEND_BUFFER_LIMIT = 4 * 1024 * 1024;

interface Conn {
  ws: WebSocket;
  /** The TCP socket ws writes to (the upgrade's), corked while this turn's frames gather. */
  tcp: { cork(): void; uncork(): void };
  corked: boolean;
  user: { id: string; username: string };
  rooms: Set<Room>;
}

interface Room {
  id: string;
  roomJson: string;
  seq: number;
  members: Set<Conn>;
  /** The last messages, each already serialized. */
  history: string[];
}

const rooms = new Map<string, Room>();
let users = 0;

function roomOf(id: string): Room {
  let room = rooms.get(id);
  if (!room) {
    room = {
      id,
      // One incarnation per room for the life of this server (a real room's epoch changes when it is re-created).
      roomJson: JSON.stringify({ id, title: id, staffOnly: false, epoch: 1 }),
      seq: 0,
      members: new Set(),
      history: [],
    };
    rooms.set(id, room);
  }
  return room;
}

/** Sockets corked this turn; all are uncorked once, after the turn's I/O. */
const corked: Conn[] = [];

function uncorkAll(): void {
  for (const conn of corked) {
    conn.corked = false;
    conn.tcp.uncork();
  }
  corked.length = 0;
}

function write(conn: Conn, data: string | Buffer): void {
  if (!conn.corked) {
    conn.tcp.cork();
    conn.corked = true;
    if (corked.push(conn) === 1) setImmediate(uncorkAll);
  }
  conn.ws.send(data, { binary: false });
}

function broadcast(room: Room, frame: string): void {
  const bytes = Buffer.from(frame);
  for (const member of room.members) {
    if (member.ws.bufferedAmount > SEND_BUFFER_LIMIT) member.ws.terminate();
    else write(member, bytes);
  }
}

const presence = new PresenceGatherer((id, frame) => broadcast(roomOf(id), frame));

function reply(conn: Conn, ref: unknown, data: string): void {
  write(conn, `{"type":"reply","ref":${JSON.stringify(ref)},"ok":true,"data":${data}}`);
}

function fail(conn: Conn, ref: unknown, code: string, message: string): void {
  write(conn, JSON.stringify({ type: 'reply', ref: ref ?? null, ok: false, error: { code, message } }));
}

function onFrame(conn: Conn, text: string): void {
  let frame: { type?: unknown; room?: unknown; text?: unknown; ref?: unknown };
  try {
    frame = JSON.parse(text);
  } catch {
    fail(conn, null, 'BAD_REQUEST', 'the frame is not valid JSON');
    return;
  }
  const { type, ref } = frame;
  if (type === 'ping') {
    reply(conn, ref, JSON.stringify({ time: new Date().toISOString() }));
    return;
  }
  if (typeof frame.room !== 'string') {
    fail(conn, ref, 'ROOM_INVALID', 'room: not a valid room id');
    return;
  }
  const room = roomOf(frame.room);
  switch (type) {
    case 'join': {
      conn.rooms.add(room);
      room.members.add(conn);
      reply(conn, ref, `{"room":${room.roomJson},"messages":[${room.history.join(',')}]}`);
      presence.add(room.id, 'joined', conn.user);
      return;
    }
    case 'leave': {
      if (!room.members.delete(conn)) {
        fail(conn, ref, 'NOT_IN_ROOM', `join ${room.id} first`);
        return;
      }
      conn.rooms.delete(room);
      reply(conn, ref, `{"room":"${room.id}"}`);
      presence.add(room.id, 'left', conn.user);
      return;
    }
    case 'send': {
      if (!room.members.has(conn)) {
        fail(conn, ref, 'NOT_IN_ROOM', `join ${room.id} first`);
        return;
      }
      if (typeof frame.text !== 'string' || frame.text.trim() === '') {
        fail(conn, ref, 'BAD_REQUEST', 'text');
        return;
      }
      const message = JSON.stringify({
        id: randomUUID(),
        seq: ++room.seq,
        author: conn.user,
        text: frame.text.trim(),
        createdAt: new Date().toISOString(),
      });
      room.history.push(message);
      if (room.history.length > HISTORY_ON_JOIN) room.history.shift();
      reply(conn, ref, message);
      presence.flush(room.id);
      broadcast(room, `{"type":"message","room":"${room.id}","message":${message}}`);
      return;
    }
    default:
      fail(conn, ref, 'BAD_REQUEST', 'unknown frame type');
      return;
  }
}

function onClose(conn: Conn): void {
  for (const room of conn.rooms) {
    room.members.delete(conn);
    presence.add(room.id, 'left', conn.user);
  }
  conn.rooms.clear();
}

const server = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
  path: '/ws',
  maxPayload: MAX_FRAME_BYTES,
  perMessageDeflate: false,
});

server.on('connection', (ws, request) => {
  const token = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
  const username = token ?? `guest${++users}`;
  const user = { id: username, username };
  const conn: Conn = { ws, tcp: request.socket, corked: false, user, rooms: new Set() };
  ws.on('message', (data, isBinary) => {
    if (isBinary) fail(conn, null, 'BAD_REQUEST', 'binary frames are not supported');
    else onFrame(conn, (data as Buffer).toString('utf8'));
  });
  ws.on('close', () => onClose(conn));
  ws.on('error', () => ws.terminate());
});

server.on('listening', () => {
  const address = server.address();
  console.log(`listening ${address && typeof address === 'object' ? address.port : address}`);
});

process.on('SIGTERM', () => {
  for (const client of server.clients) client.terminate();
  server.close(() => process.exit(0));
});
