/** The sockets of this gateway, by user: for per-user connection limits and for ending a user's connections. */
import type { Connection } from './connection.js';

export class ConnectionRegistry {
  private readonly byUser = new Map<string, Set<Connection>>();
  private total = 0;

  add(connection: Connection): void {
    let connections = this.byUser.get(connection.user.id);
    if (!connections) {
      connections = new Set();
      this.byUser.set(connection.user.id, connections);
    }
    connections.add(connection);
    this.total++;
  }

  remove(connection: Connection): void {
    const connections = this.byUser.get(connection.user.id);
    if (!connections?.delete(connection)) return;
    this.total--;
    if (connections.size === 0) this.byUser.delete(connection.user.id);
  }

  ofUser(userId: string): ReadonlySet<Connection> {
    return this.byUser.get(userId) ?? new Set();
  }

  countOfUser(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  get size(): number {
    return this.total;
  }

  *all(): IterableIterator<Connection> {
    for (const connections of this.byUser.values()) yield* connections;
  }
}
