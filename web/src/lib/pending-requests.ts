/** Correlates socket replies with the requests that asked for them, by ref, with a timeout each. */
import type { ReplyFrame } from '@chat/protocol';
import { RequestError } from './errors';

interface Pending {
  resolve(data: unknown): void;
  reject(error: RequestError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  private counter = 0;

  constructor(private readonly timeoutMs = 10_000) {}

  get size(): number {
    return this.pending.size;
  }

  /** A ref unique for this page's lifetime (refs only need to be unique per socket). */
  nextRef(): string {
    this.counter += 1;
    return `r${this.counter}`;
  }

  wait(ref: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new RequestError('TIMEOUT', 'no reply in time'));
      }, this.timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
    });
  }

  /** Settles the request a reply belongs to; false when nobody is waiting (late or unknown ref). */
  settle(reply: ReplyFrame): boolean {
    if (reply.ref === null) return false;
    const entry = this.pending.get(reply.ref);
    if (!entry) return false;
    this.pending.delete(reply.ref);
    clearTimeout(entry.timer);
    if (reply.ok) entry.resolve(reply.data);
    else entry.reject(RequestError.from(reply.error));
    return true;
  }

  /** Fails everything in flight, e.g. when the socket closes: no reply can arrive on a new socket. */
  failAll(error: RequestError): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) {
      clearTimeout(entry.timer);
      entry.reject(error);
    }
  }
}
