/**
 * When the frames written to client sockets actually leave: every socket written to is corked, and one
 * callback uncorks them all, so each socket gets one writev however many frames it was given meanwhile. A
 * burst of NATS messages (a busy room, a join storm's notices) is dispatched synchronously, so this turns
 * many small writes into one; a nextTick per socket would cost a callback per delivery and uncork after each
 * NATS read instead of after all of them.
 *
 * With `gatherMs` 0 (the default) that callback runs right after the current turn's I/O (setImmediate). With
 * a window, the same holds after a quiet spell, but writes that follow a flush within `gatherMs` wait until
 * `gatherMs` after it, so a socket in busy rooms gets several events per system call instead of one. System
 * calls are most of a busy gateway's time (writev was over half of it in the fanout profile) and every write
 * also wakes the client; the price is up to `gatherMs` of latency while the gateway is busy.
 */

/** The TCP socket a WebSocket is written through, as far as corking goes. */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
}

/** Whoever owns a socket keeps it here while it is corked, so that no object is made per socket per flush. */
export interface CorkHolder {
  corkedSocket: CorkableSocket | undefined;
}

export class ClientWrites {
  private corked: CorkHolder[] = [];
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  /** `gatherMs` 0 flushes after every turn. */
  constructor(private readonly gatherMs: number) {}

  /** Corks the holder's socket until the next flush, unless it is corked already. */
  hold(holder: CorkHolder, socket: CorkableSocket): void {
    if (holder.corkedSocket) return;
    socket.cork();
    holder.corkedSocket = socket;
    if (this.corked.push(holder) > 1) return;
    const wait = this.lastFlushAt + this.gatherMs - performance.now();
    if (wait >= 1) setTimeout(this.flush, wait);
    else setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    const corked = this.corked;
    this.corked = [];
    for (const holder of corked) {
      holder.corkedSocket?.uncork();
      holder.corkedSocket = undefined;
    }
    // Measured from the end: on a busy gateway uncorking a thousand sockets takes milliseconds itself.
    this.lastFlushAt = performance.now();
  };
}
