/**
 * MAX_CONNECTIONS_PER_USER, counted before the user is looked up: the sockets a user has open on this
 * gateway plus their handshakes still being checked. Counting the handshakes under way is what makes the
 * cap hold against one account's flood: otherwise thousands of its handshakes would each pass the check
 * (none is open yet) and each cost a lookup at auth before the first of them opened.
 */
import { ChatError, ErrorCode } from '@chat/protocol';
import type { ConnectionRegistry } from './connection-registry.js';

export class ConnectionCap {
  /** Handshakes under way, by user; an entry goes when its count reaches zero. */
  private readonly opening = new Map<string, number>();

  constructor(
    private readonly max: number,
    private readonly connections: ConnectionRegistry,
  ) {}

  /**
   * Holds a place for one more socket of the user while its handshake is checked, or throws RATE_LIMITED
   * when the user is at the cap. Returns the release (idempotent): call it once the socket is open (it then
   * counts in the registry) or the handshake has failed.
   */
  reserve(userId: string): () => void {
    const opening = this.opening.get(userId) ?? 0;
    if (this.connections.countOfUser(userId) + opening >= this.max) {
      throw new ChatError(ErrorCode.RATE_LIMITED, `at most ${this.max} connections per user`);
    }
    this.opening.set(userId, opening + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.opening.get(userId) ?? 1) - 1;
      if (left > 0) this.opening.set(userId, left);
      else this.opening.delete(userId);
    };
  }
}
