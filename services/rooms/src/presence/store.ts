/**
 * Presence: who is in which room now, per user across every gateway. A row per (room, user, gateway process)
 * counts that user's sockets in the room on that gateway; the room's members are its distinct users. It lives
 * in Postgres, owned by this service, so that every rooms instance answers alike and none of them holds
 * state that dies with it; gateways say they are alive every few seconds (`heartbeat`), and any instance
 * takes out the rows of a gateway silent too long (`sweep`).
 *
 * "joined" is announced when a user's first socket anywhere enters, "left" when their last one goes. Deciding
 * that needs the user's other rows as they are at that moment, so every change of one user's presence in one
 * room runs under a transaction-scoped advisory lock on (room, user): a join on one gateway and a leave or a
 * sweep of another can never both think they were the last (or the first).
 */
import { ChatError, ErrorCode, type UserRef } from '@chat/protocol';
import { type Kysely, sql } from 'kysely';
import type { RoomsDatabase } from '../db/schema.js';
import { noSuchRoom } from '../rooms/store.js';

/** The gateway of joins that name none (tools, tests): such rows are never swept. */
const NO_GATEWAY = '';
const FOREIGN_KEY_VIOLATION = '23503';

export interface MembersPage {
  /** The members' UserRefs as a JSON array, straight from the database. */
  json: string;
  count: number;
}

export interface Departure {
  room: string;
  user: UserRef;
}

export class PresenceStore {
  constructor(
    private readonly db: Kysely<RoomsDatabase>,
    /** Most members one page lists (MEMBERS_PAGE_MAX unless configured smaller). */
    private readonly pageSize: number,
  ) {}

  /**
   * Counts a socket of `user` into the room; true when it is the user's first anywhere (announce "joined").
   * `again`: the socket is in the room already and joins again: counted only if its row was lost (swept).
   */
  async enter(room: string, user: UserRef, gateway = NO_GATEWAY, again = false): Promise<boolean> {
    const added = again ? sql`rooms.presence.sockets` : sql`rooms.presence.sockets + 1`;
    // A join makes its gateway known, as a heartbeat would: one killed before its first heartbeat was stored
    // is then timed out like any other, rather than leaving its joins in presence for good. DO NOTHING leaves
    // seen_at to the heartbeats, and takes no row lock, so a join storm does not queue on the gateway's row.
    const known =
      gateway === NO_GATEWAY
        ? sql``
        : sql`, known AS (INSERT INTO rooms.gateways (id) VALUES (${gateway}) ON CONFLICT (id) DO NOTHING)`;
    try {
      return await this.db.transaction().execute(async (trx) => {
        await lockUser(trx, room, user.id);
        const { rows } = await sql<{ present: boolean }>`
          WITH counted AS (
            INSERT INTO rooms.presence (room_id, user_id, gateway, username, sockets)
            VALUES (${room}, ${user.id}, ${gateway}, ${user.username}, 1)
            ON CONFLICT (room_id, user_id, gateway) DO UPDATE SET sockets = ${added}, username = excluded.username
          )${known}
          SELECT EXISTS (SELECT 1 FROM rooms.presence WHERE room_id = ${room} AND user_id = ${user.id}) AS present`.execute(
          trx,
        );
        return !rows[0]?.present;
      });
    } catch (err) {
      // The room was deleted between the access check and now.
      if ((err as { code?: string }).code === FOREIGN_KEY_VIOLATION) throw noSuchRoom();
      throw err;
    }
  }

  /** Counts a socket of `user` out of the room; true when it was the user's last anywhere (announce "left"). */
  leave(room: string, userId: string, gateway = NO_GATEWAY): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      await lockUser(trx, room, userId);
      const { rows } = await sql<{ gone: boolean; elsewhere: boolean }>`
        WITH gone AS (
          DELETE FROM rooms.presence
          WHERE room_id = ${room} AND user_id = ${userId} AND gateway = ${gateway} AND sockets <= 1
          RETURNING 1
        ), fewer AS (
          UPDATE rooms.presence SET sockets = sockets - 1
          WHERE room_id = ${room} AND user_id = ${userId} AND gateway = ${gateway} AND sockets > 1
        )
        SELECT EXISTS (SELECT 1 FROM gone) AS gone,
          EXISTS (
            SELECT 1 FROM rooms.presence WHERE room_id = ${room} AND user_id = ${userId} AND gateway <> ${gateway}
          ) AS elsewhere`.execute(trx);
      return Boolean(rows[0]?.gone && !rows[0].elsewhere);
    });
  }

  /** A page of the room's members, in user id order (byte order), after `after`; and how many there are. */
  async members(room: string, after = ''): Promise<MembersPage> {
    const { rows } = await sql<{ json: string; count: number }>`
      SELECT
        coalesce((
          SELECT json_agg(json_build_object('id', id, 'username', username) ORDER BY id COLLATE "C")
          FROM (
            SELECT user_id AS id, min(username) AS username FROM rooms.presence
            WHERE room_id = ${room} AND user_id COLLATE "C" > ${after}
            GROUP BY user_id ORDER BY user_id COLLATE "C" LIMIT ${this.pageSize}
          ) page
        ), '[]')::text AS json,
        (SELECT count(DISTINCT user_id) FROM rooms.presence WHERE room_id = ${room})::int AS count`.execute(this.db);
    const row = rows[0];
    if (!row) throw new ChatError(ErrorCode.INTERNAL, 'the members query answered nothing');
    return { json: row.json, count: Number(row.count) };
  }

  /** The gateway is alive now. false: it was not known (new, or taken for dead meanwhile). */
  async heartbeat(gateway: string): Promise<boolean> {
    // xmax is 0 on a row this statement inserted, not on one it updated.
    const { rows } = await sql<{ inserted: boolean }>`
      INSERT INTO rooms.gateways (id, seen_at) VALUES (${gateway}, now())
      ON CONFLICT (id) DO UPDATE SET seen_at = now()
      RETURNING (xmax = 0) AS inserted`.execute(this.db);
    return !rows[0]?.inserted;
  }

  /**
   * Takes out every gateway silent for `timeoutMs` and all its presence; answers the users who are thereby no
   * longer in a room anywhere. Claiming the gateways' rows with DELETE … RETURNING makes each one swept by one
   * instance only, so each departure is announced once.
   */
  sweep(timeoutMs: number): Promise<Departure[]> {
    return this.db.transaction().execute(async (trx) => {
      const dead = await trx
        .deleteFrom('gateways')
        .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${timeoutMs / 1000})`)
        .returning('id')
        .execute();
      if (dead.length === 0) return [];
      const ids = dead.map((g) => g.id);
      // The same locks as enter and leave take, in one order, so that two sweeps cannot deadlock.
      await sql`
        SELECT pg_advisory_xact_lock(key) FROM (
          SELECT DISTINCT hashtextextended(room_id || ' ' || user_id, 0) AS key
          FROM rooms.presence WHERE gateway = ANY(${ids}::text[]) ORDER BY key
        ) keys`.execute(trx);
      const { rows } = await sql<{ room_id: string; user_id: string; username: string }>`
        WITH gone AS (
          DELETE FROM rooms.presence WHERE gateway = ANY(${ids}::text[]) RETURNING room_id, user_id, username
        )
        SELECT DISTINCT ON (room_id, user_id) room_id, user_id, username FROM gone g
        WHERE NOT EXISTS (
          SELECT 1 FROM rooms.presence p
          WHERE p.room_id = g.room_id AND p.user_id = g.user_id AND p.gateway <> ALL(${ids}::text[])
        )`.execute(trx);
      return rows.map((r) => ({ room: r.room_id, user: { id: r.user_id, username: r.username } }));
    });
  }
}

function lockUser(trx: Kysely<RoomsDatabase>, room: string, userId: string) {
  return sql`SELECT pg_advisory_xact_lock(hashtextextended(${room} || ' ' || ${userId}, 0))`.execute(trx);
}
