/**
 * The changes of access this gateway has heard of, in order, so that a join approved before a change and
 * completed after it can tell and be checked again. A join notes `position()` when it starts; when the answer
 * comes, `touched(position, room, user)` says whether anything since may have changed that room or user: a
 * change of either, or a gap (NATS disconnected, a subscription lost events), after which anything may have.
 *
 * Only the latest entries are kept: a join older than all of them is told "touched", which costs it one
 * more check, never a missed change.
 */
const KEPT = 1024;

interface Change {
  position: number;
  room: string | undefined;
  user: string | undefined;
}

export class ChangeLog {
  private latest = 0;
  private lastGap = 0;
  private readonly changes: Change[] = [];

  position(): number {
    return this.latest;
  }

  /** A room (its flag, its existence) or a user (flags, sessions) changed. */
  changed(change: { room?: string; user?: string }): void {
    this.latest++;
    this.changes.push({ position: this.latest, room: change.room, user: change.user });
    if (this.changes.length > KEPT) this.changes.shift();
  }

  /** Changes may have been missed: everything counts as touched. */
  gap(): void {
    this.latest++;
    this.lastGap = this.latest;
  }

  touched(since: number, room: string, user: string): boolean {
    if (this.latest === since) return false;
    if (this.lastGap > since) return true;
    const oldest = this.changes[0];
    if (!oldest || oldest.position > since + 1) return true;
    for (let i = this.changes.length - 1; i >= 0; i--) {
      const change = this.changes[i] as Change;
      if (change.position <= since) break;
      if (change.room === room || change.user === user) return true;
    }
    return false;
  }
}
