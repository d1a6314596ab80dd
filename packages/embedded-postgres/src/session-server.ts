/**
 * A Postgres server over one PGlite session, shared by any number of connections as if each had its own.
 *
 * PGlite is a single Postgres backend: one session. Handing its messages to several connections at once (as
 * @electric-sql/pglite-socket does) lets one connection's session state reach the next: a named prepared
 * statement made by a pool connection that has since closed made every later group commit fail with
 * "prepared statement already exists". Here the session belongs to one connection at a time, and changes hands
 * only at a transaction boundary (ReadyForQuery, idle, no extended-protocol sequence open), only when another
 * connection is waiting, and always through a reset (DISCARD ALL), so nothing of one connection's session is
 * seen by another: prepared statements, SET values, advisory locks, temporary tables, LISTEN, open or aborted
 * transactions. What the yielding connection set up for itself is given back when its turn comes again: its
 * named prepared statements are parsed again and its SET values re-applied. A connection holding state that
 * cannot be carried over (an advisory lock, a temporary table, a LISTEN, a holdable cursor) keeps the session
 * until it lets go of that state or disconnects, and every other connection waits meanwhile (a real server would
 * make only those wanting the same lock wait): the price of one session for all.
 * A connection that disconnects in the middle of a transaction or of a sequence leaves nothing behind: what it
 * had begun is rolled back.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import {
  closedStatementName,
  errorResponse,
  MessageType,
  parsedStatementName,
  queryMessage,
  readMessage,
  readStartupPacket,
  SYNC,
} from './wire.js';

/** State that lives in a session but cannot be moved to another turn: while any exists the holder keeps it. */
const PINNED_STATE_SQL = `SELECT
  EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())
  OR EXISTS (SELECT 1 FROM pg_class WHERE relpersistence = 't')
  OR EXISTS (SELECT 1 FROM pg_listening_channels())
  OR EXISTS (SELECT 1 FROM pg_cursors WHERE is_holdable) AS pinned`;
const SESSION_SETTINGS_SQL = `SELECT name, setting FROM pg_settings WHERE source = 'session'`;

class Connection {
  private static nextId = 1;
  readonly id = Connection.nextId++;
  /** Bytes received and not yet cut into messages. */
  pending: Buffer = Buffer.alloc(0);
  /** Whole messages waiting for this connection's turn. */
  readonly queue: Uint8Array[] = [];
  started = false;
  closed = false;
  /** Named statements this connection parsed (Parse messages by name), to parse again when it resumes. */
  readonly statements = new Map<string, Uint8Array>();
  /** SET values of this connection's session, kept while another connection holds the session. */
  settings: [string, string][] = [];
  /** Extended-protocol messages sent since the last Sync: the session cannot change hands mid-sequence. */
  inSequence = false;
  /** The connection holds state that cannot be carried over; checked again once it sends more. */
  pinned = false;
  /** A connection given the session runs at least one message before it can be asked to yield it. */
  ranThisTurn = false;

  constructor(readonly socket: Socket) {}

  write(data: Uint8Array): void {
    if (!this.closed && this.socket.writable) this.socket.write(data);
  }
}

export interface SessionServerOptions {
  host?: string;
  /** 0 for any free port. */
  port: number;
}

export class SessionServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  /** Connections with messages queued, in the order they started waiting. */
  private readonly waiting: Connection[] = [];
  private holder: Connection | undefined;
  private pumping: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly db: PGlite) {
    this.server = createServer((socket) => this.accept(socket));
  }

  async listen(options: SessionServerOptions): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(options.port, options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    if (!address || typeof address !== 'object') throw new Error('embedded Postgres is not listening on a port');
    return address.port;
  }

  /** Refuses new connections, closes the open ones (rolling back what they left open) and lets the session go. */
  async stop(): Promise<void> {
    this.stopped = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const connection of this.connections) connection.socket.destroy();
    await closed;
    await this.pumping;
  }

  private accept(socket: Socket): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const connection = new Connection(socket);
    this.connections.add(connection);
    socket.on('data', (chunk) => this.receive(connection, chunk));
    // A client that goes away mid-read (ECONNRESET) is the only error here, and not this server's to report:
    // 'close' follows, and rolls back whatever the connection left open.
    socket.on('error', () => {});
    socket.on('close', () => {
      connection.closed = true;
      this.pump();
    });
  }

  private receive(connection: Connection, chunk: Buffer): void {
    connection.pending = connection.pending.length === 0 ? chunk : Buffer.concat([connection.pending, chunk]);
    try {
      while (!connection.closed) {
        if (!connection.started) {
          const read = readStartupPacket(connection.pending);
          if (!read) break;
          connection.pending = connection.pending.subarray(read.size);
          const { packet } = read;
          if (packet.kind === 'ssl' || packet.kind === 'gss') {
            connection.socket.write('N'); // no encryption on loopback; the client goes on in the clear
          } else if (packet.kind === 'startup') {
            connection.started = true;
            connection.queue.push(packet.message);
          } else {
            // A cancel request (PGlite has no second backend to signal) or a protocol we do not speak.
            if (packet.kind === 'unsupported')
              connection.socket.write(errorResponse('08P01', `unsupported protocol ${packet.code}`));
            connection.socket.end();
            connection.closed = true;
          }
          continue;
        }
        const read = readMessage(connection.pending);
        if (!read) break;
        connection.pending = connection.pending.subarray(read.size);
        if (read.message[0] === MessageType.terminate) {
          connection.closed = true;
          connection.socket.end();
          break;
        }
        connection.queue.push(read.message);
      }
    } catch (err) {
      connection.socket.end(errorResponse('08P01', (err as Error).message));
      connection.closed = true;
    }
    if (connection.queue.length > 0 && connection !== this.holder && !this.waiting.includes(connection))
      this.waiting.push(connection);
    this.pump();
  }

  /** Runs the scheduler until there is nothing it can do; one run at a time. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = (async () => {
      try {
        while (await this.step()) {}
      } finally {
        this.pumping = undefined;
      }
    })();
  }

  /** One scheduling decision; false when nothing can move until a connection sends or closes. */
  private async step(): Promise<boolean> {
    for (const connection of this.connections) {
      if (connection.closed && connection !== this.holder) this.forget(connection);
    }
    const holder = this.holder;
    if (holder?.closed) {
      await this.reset(holder, { rollback: true });
      this.forget(holder);
      this.holder = undefined;
      return true;
    }
    const next = this.waiting[0];
    if (holder && next && (await this.canYield(holder))) {
      holder.settings = await this.sessionSettings();
      await this.reset(holder, { rollback: false });
      this.holder = undefined;
      // A holder with more to say takes its place at the back: turns go round, nobody starves.
      if (holder.queue.length > 0) this.waiting.push(holder);
    }
    if (this.holder) {
      const message = this.holder.queue.shift();
      if (!message) return false;
      await this.run(this.holder, message);
      return true;
    }
    if (!next) return false;
    this.waiting.shift();
    this.holder = next;
    next.ranThisTurn = false;
    await this.resume(next);
    return true;
  }

  /** At a transaction boundary, with nothing in the session that cannot be carried over. */
  private async canYield(holder: Connection): Promise<boolean> {
    if (!holder.ranThisTurn || holder.inSequence || holder.pinned || this.db.isInTransaction()) return false;
    holder.pinned = await this.holdsPinnedState();
    return !holder.pinned;
  }

  private async run(connection: Connection, message: Uint8Array): Promise<void> {
    const type = message[0];
    connection.pinned = false;
    connection.ranThisTurn = true;
    if (type === MessageType.parse) {
      const name = parsedStatementName(message);
      if (name) connection.statements.set(name, message);
    } else if (type === MessageType.close) {
      const name = closedStatementName(message);
      if (name) connection.statements.delete(name);
    }
    if (type === MessageType.sync || type === MessageType.query) connection.inSequence = false;
    else if (
      type === MessageType.parse ||
      type === MessageType.bind ||
      type === MessageType.describe ||
      type === MessageType.execute ||
      type === MessageType.close ||
      type === MessageType.flush
    )
      connection.inSequence = true;
    try {
      await this.exec(message, (data) => connection.write(data));
    } catch (err) {
      // PGlite itself failed (not a query error, which is an ErrorResponse): this connection cannot go on.
      connection.socket.end(errorResponse('XX000', `embedded Postgres: ${(err as Error).message}`));
      connection.closed = true;
    }
  }

  /** Gives a connection back what it set up in its earlier turns: its SET values, its named statements. */
  private async resume(connection: Connection): Promise<void> {
    for (const [name, value] of connection.settings) {
      await this.db.query('SELECT set_config($1, $2, false)', [name, value]).catch(() => {});
    }
    connection.settings = [];
    for (const parse of connection.statements.values()) {
      await this.exec(parse);
      await this.exec(SYNC);
    }
  }

  /**
   * Leaves the session as a new connection finds it. A connection that went away mid-sequence or
   * mid-transaction has what it began rolled back: a Query aborts an implicit transaction (a Sync would commit
   * it), and a Sync then ends an extended-protocol sequence, failed or not.
   */
  private async reset(connection: Connection, { rollback }: { rollback: boolean }): Promise<void> {
    try {
      if (rollback && connection.inSequence) await this.exec(queryMessage('ROLLBACK'));
      await this.exec(SYNC);
      if (this.db.isInTransaction()) await this.exec(queryMessage('ROLLBACK'));
      await this.exec(queryMessage('DISCARD ALL'));
    } catch {
      // Nothing more can be done for this session's state; PGlite reports its own failures to the next user.
    }
  }

  private async holdsPinnedState(): Promise<boolean> {
    const result = await this.db.query<{ pinned: boolean }>(PINNED_STATE_SQL);
    return result.rows[0]?.pinned === true;
  }

  private async sessionSettings(): Promise<[string, string][]> {
    const result = await this.db.query<{ name: string; setting: string }>(SESSION_SETTINGS_SQL);
    return result.rows.map((row) => [row.name, row.setting]);
  }

  private exec(message: Uint8Array, onData: (data: Uint8Array) => void = () => {}): Promise<void> {
    return this.db.runExclusive(() => this.db.execProtocolRawStream(message, { onRawData: onData }));
  }

  private forget(connection: Connection): void {
    this.connections.delete(connection);
    const index = this.waiting.indexOf(connection);
    if (index >= 0) this.waiting.splice(index, 1);
  }
}
