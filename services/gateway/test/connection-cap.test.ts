/** The per-user cap counts handshakes still being checked, so one account's flood cannot slip past it. */
import { describe, expect, it } from 'vitest';
import { ConnectionCap } from '../src/connection-cap.js';
import type { Connection } from '../src/connection.js';
import { ConnectionRegistry } from '../src/connection-registry.js';

/** The registry only reads a connection's user id. */
const connectionOf = (id: string) => ({ user: { id, username: id } }) as Connection;

describe('the per-user connection cap', () => {
  it('counts handshakes under way with open sockets, and frees a place once released', () => {
    const connections = new ConnectionRegistry();
    const cap = new ConnectionCap(3, connections);
    connections.add(connectionOf('u1'));
    const first = cap.reserve('u1');
    cap.reserve('u1');
    expect(() => cap.reserve('u1')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
    expect(() => cap.reserve('u2')).not.toThrow();
    first();
    first(); // a second release gives back nothing more
    cap.reserve('u1');
    expect(() => cap.reserve('u1')).toThrow(expect.objectContaining({ code: 'RATE_LIMITED' }));
  });
});
