/**
 * The embedded server seen by real pg clients over real sockets: each connection behaves as if it had a
 * Postgres session of its own, though all of them share PGlite's one.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/index.js';

let embedded: EmbeddedPostgres;
const clients: pg.Client[] = [];

beforeAll(async () => {
  embedded = await startEmbeddedPostgres();
  const setup = await client();
  await setup.query('CREATE TABLE counters (name text PRIMARY KEY, n int NOT NULL)');
  await setup.query('CREATE TABLE notes (text text NOT NULL)');
  await setup.end();
});

afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await embedded.stop();
});

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: embedded.url });
  c.on('error', () => {});
  await c.connect();
  clients.push(c);
  return c;
}

const named = (name: string, text: string, values: unknown[] = []) => ({ name, text, values });

describe('embedded Postgres sessions', () => {
  it('serves a named statement again after the pool closed its idle connection and opened another', async () => {
    const pool = new pg.Pool({ connectionString: embedded.url, max: 1, idleTimeoutMillis: 100 });
    const first = await pool.query(named('answer', 'SELECT $1::int + 1 AS n', [41]));
    await sleep(300); // the pool closes its idle connection; the next query opens a new one
    expect(pool.totalCount).toBe(0);
    const second = await pool.query(named('answer', 'SELECT $1::int + 1 AS n', [1]));
    await pool.end();
    expect([first.rows[0].n, second.rows[0].n]).toEqual([42, 2]);
  });

  it('lets nothing of a closed connection’s session reach the next connection', async () => {
    const a = await client();
    await a.query('SET statement_timeout = 4321');
    await a.query(`PREPARE leftover AS SELECT 1`);
    await a.query('CREATE TEMP TABLE scratch (x int)');
    await a.query('SELECT pg_advisory_lock(7)');
    await a.query('LISTEN somewhere');
    await a.end();

    const b = await client();
    const seen = await b.query(`SELECT
      current_setting('statement_timeout') AS timeout,
      (SELECT count(*)::int FROM pg_prepared_statements) AS prepared,
      (SELECT count(*)::int FROM pg_class WHERE relpersistence = 't') AS temp_tables,
      (SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory') AS advisory_locks,
      (SELECT count(*)::int FROM pg_listening_channels()) AS listening`);
    expect(seen.rows[0]).toEqual({ timeout: '0', prepared: 0, temp_tables: 0, advisory_locks: 0, listening: 0 });
  });

  it('keeps two open connections’ SET values and named statements apart while they take turns', async () => {
    const a = await client();
    const b = await client();
    await a.query("SET application_name = 'alpha'");
    await b.query("SET application_name = 'beta'");
    for (let i = 0; i < 5; i++) {
      const [ra, rb] = await Promise.all([
        a.query(named('who', "SELECT current_setting('application_name') AS name, $1::int AS i", [i])),
        b.query(named('who', "SELECT current_setting('application_name') AS name, $1::int AS i", [i])),
      ]);
      expect([ra.rows[0], rb.rows[0]]).toEqual([
        { name: 'alpha', i },
        { name: 'beta', i },
      ]);
    }
    await Promise.all([a.end(), b.end()]);
  });

  it('keeps transactions of concurrent pool connections whole', async () => {
    const pool = new pg.Pool({ connectionString: embedded.url, max: 5 });
    await pool.query(`INSERT INTO counters VALUES ('hits', 0)`);
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          const { rows } = await c.query(`SELECT n FROM counters WHERE name = 'hits'`);
          await sleep(1); // let the others try to get in between the read and the write
          await c.query(`UPDATE counters SET n = $1 WHERE name = 'hits'`, [rows[0].n + 1]);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      }),
    );
    const { rows } = await pool.query(`SELECT n FROM counters WHERE name = 'hits'`);
    await pool.end();
    expect(rows[0].n).toBe(40);
  });

  it('rolls back the transaction of a client that disconnects inside it, and the next client is not in it', async () => {
    const a = await client();
    await a.query('BEGIN');
    await a.query(`INSERT INTO notes VALUES ('never committed')`);
    (a as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();

    const b = await client();
    const { rows } = await b.query(`SELECT count(*)::int AS n FROM notes WHERE text = 'never committed'`);
    expect(rows[0].n).toBe(0);
    // Not inside a leftover transaction: a failed statement does not poison the next one.
    await expect(b.query('SELECT 1/0')).rejects.toThrow(/division by zero/);
    await expect(b.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('does not commit an extended-protocol statement whose client left before its Sync', async () => {
    const socket = connect(embedded.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const startup = Buffer.concat([Buffer.alloc(8), Buffer.from('user\0postgres\0database\0postgres\0\0')]);
    startup.writeInt32BE(startup.length, 0);
    startup.writeInt32BE(196608, 4);
    const message = (type: string, body: Buffer) => {
      const m = Buffer.alloc(5 + body.length);
      m.write(type, 0);
      m.writeInt32BE(4 + body.length, 1);
      body.copy(m, 5);
      return m;
    };
    const ready = new Promise((resolve) => socket.on('data', (d) => d.includes('Z') && resolve(undefined)));
    socket.write(startup);
    await ready;
    socket.write(
      Buffer.concat([
        message('P', Buffer.from(`\0INSERT INTO notes VALUES ('half sent')\0\0\0`)),
        message('B', Buffer.from('\0\0\0\0\0\0\0\0')),
        message('E', Buffer.from('\0\0\0\0\0')),
      ]),
    );
    await sleep(100);
    socket.destroy();

    const b = await client();
    const { rows } = await b.query(`SELECT count(*)::int AS n FROM notes WHERE text = 'half sent'`);
    expect(rows[0].n).toBe(0);
  });

  it('makes the others wait while a connection holds an advisory lock, and serves them once it lets go', async () => {
    const a = await client();
    const b = await client();
    await a.query('SELECT pg_advisory_lock(11)');
    let bDone = false;
    const bQuery = b.query('SELECT pg_try_advisory_lock(11) AS got').then((r) => {
      bDone = true;
      return r;
    });
    await sleep(200);
    expect(bDone).toBe(false);
    await a.query('SELECT pg_advisory_unlock(11)');
    const { rows } = await bQuery;
    expect(rows[0].got).toBe(true);
    await b.query('SELECT pg_advisory_unlock(11)'); // or b would keep the session from everyone after it
  });

  it('answers an SSL request with N (no encryption on loopback) and refuses a protocol it does not speak', async () => {
    const talk = async (packet: Buffer) => {
      const socket = connect(embedded.port, '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (d) => received.push(d));
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.write(packet);
      await Promise.race([closed, sleep(500)]);
      socket.destroy();
      return Buffer.concat(received);
    };
    const packet = (code: number) => {
      const b = Buffer.alloc(8);
      b.writeInt32BE(8, 0);
      b.writeInt32BE(code, 4);
      return b;
    };
    expect((await talk(packet(80877103))).toString()).toBe('N');
    const refusal = await talk(packet(131072)); // protocol 2.0
    expect(refusal[0]).toBe(0x45); // ErrorResponse
    expect(refusal.toString()).toContain('unsupported protocol 131072');
    // The server serves others as before.
    const c = await client();
    await expect(c.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
