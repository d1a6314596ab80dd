/** The sockets of this gateway, by user: for per-user connection limits and for ending a user's sessions. */
import type { Session } from './session.js';

export class SessionRegistry {
  private readonly byUser = new Map<string, Set<Session>>();
  private total = 0;

  add(session: Session): void {
    let sessions = this.byUser.get(session.user.id);
    if (!sessions) {
      sessions = new Set();
      this.byUser.set(session.user.id, sessions);
    }
    sessions.add(session);
    this.total++;
  }

  remove(session: Session): void {
    const sessions = this.byUser.get(session.user.id);
    if (!sessions?.delete(session)) return;
    this.total--;
    if (sessions.size === 0) this.byUser.delete(session.user.id);
  }

  ofUser(userId: string): ReadonlySet<Session> {
    return this.byUser.get(userId) ?? new Set();
  }

  countOfUser(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  get size(): number {
    return this.total;
  }

  *all(): IterableIterator<Session> {
    for (const sessions of this.byUser.values()) yield* sessions;
  }
}
