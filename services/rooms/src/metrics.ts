/**
 * The rooms service's own metrics (docs/operations.md, "Metrics"): what the group commit does, batch by batch
 * (a prom-client call per batch, not per message), how much waits for it, and the sends it refuses.
 */
import type { ErrorCode } from '@chat/protocol';
import { Counter, Histogram, type Registry, scrapedGauge } from '@chat/service-kit';

export interface RoomsMetrics {
  /** MessageWriterOptions.onCommit */
  batchCommitted(batchSize: number, stored: number, seconds: number): void;
  /** RoomsServiceDeps.sendRefused */
  sendRefused(code: ErrorCode): void;
}

/** `queueDepth` is read at each scrape (MessageWriter's depth). */
export function roomsMetrics(registry: Registry, queueDepth: () => number): RoomsMetrics {
  const committed = new Counter({
    name: 'chat_rooms_messages_committed_total',
    help: 'messages stored by the group commit (a retried send that was already stored counts once)',
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'chat_rooms_commit_batch_messages',
    help: 'sends written by one group-commit statement',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
    registers: [registry],
  });
  const commitDuration = new Histogram({
    name: 'chat_rooms_commit_duration_seconds',
    help: 'time to write one batch (the statement, and the lookup of retried sends), up to its commit',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'chat_rooms_sends_refused_total',
    help: 'sends refused, by the error code their sender got (ROOM_ACCESS_DENIED, ROOM_INVALID, UNAVAILABLE, …)',
    labelNames: ['code'],
    registers: [registry],
  });
  scrapedGauge(registry, {
    name: 'chat_rooms_send_queue_depth',
    help: 'sends accepted and not yet committed: queued, and in the batch being written',
    read: queueDepth,
  });
  return {
    batchCommitted(size, stored, seconds) {
      committed.inc(stored);
      batchSize.observe(size);
      commitDuration.observe(seconds);
    },
    sendRefused(code) {
      refused.inc({ code });
    },
  };
}
