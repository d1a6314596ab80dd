/**
 * Presence is timed out per gateway: a gateway the rooms service stops hearing from takes its users out of
 * every room. That must hold for a gateway killed before any heartbeat of it was stored, whose only trace is
 * the joins it passed on.
 */
import { Kysely, PostgresDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RoomsDatabase } from '../../src/db/schema.js';
import { PresenceStore } from '../../src/presence/store.js';
import { type Stack, startStack } from '../stack.js';

let stack: Stack;
let presence: PresenceStore;
beforeAll(async () => {
  stack = await startStack();
  const db = new Kysely<RoomsDatabase>({ dialect: new PostgresDialect({ pool: stack.sql }) }).withSchema('rooms');
  presence = new PresenceStore(db, 200);
});
afterAll(() => stack?.close());

const TIMEOUT_MS = 200;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a silent gateway', () => {
  it('takes its users out of presence even if no heartbeat of it was ever stored', async () => {
    const room = await stack.createRoom('Short-lived gateway');
    const alice = { id: 'user-alice', username: 'alice' };
    const bob = { id: 'user-bob', username: 'bob' };
    expect(await presence.enter(room.id, alice, 'gateway-never-beat')).toBe(true);
    // Bob's gateway beats, and keeps beating: he stays.
    await presence.heartbeat('gateway-alive');
    expect(await presence.enter(room.id, bob, 'gateway-alive')).toBe(true);

    await pause(TIMEOUT_MS + 100);
    await presence.heartbeat('gateway-alive');
    const departures = (await presence.sweep(TIMEOUT_MS)).filter((d) => d.room === room.id);
    expect(departures).toEqual([{ room: room.id, user: alice }]);
    expect(JSON.parse((await presence.members(room.id)).json)).toEqual([bob]);
  });
});
