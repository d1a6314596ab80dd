/** What the bench process asks of its generator processes over IPC, and what they answer. */
import type { HistogramData } from '../histogram.js';

export interface ClientSpec {
  token: string;
  rooms: string[];
  /** The socket server to connect to, when not the open command's (clients spread over several gateways). */
  url?: string;
}

export interface SenderSpec {
  /** Index into the clients this worker opened. */
  client: number;
  room: string;
  /** Offset of this sender's schedule within one period, 0..1, so senders do not fire in unison. */
  phase: number;
}

export interface OpenCommand {
  op: 'open';
  url: string;
  clients: ClientSpec[];
  /** Most clients connecting or joining at once (a storm sends a number larger than its clients). */
  concurrency: number;
  /** Clock time (see clock.ts) at which to start, so that workers start together. */
  startAt: number;
  timeoutMs: number;
}

export interface LoadCommand {
  op: 'load';
  step: number;
  senders: SenderSpec[];
  /** Messages a second per sender. */
  rate: number;
  startAt: number;
  durationMs: number;
}

export type Command =
  | OpenCommand
  | LoadCommand
  | { op: 'progress'; step: number }
  | { op: 'collect'; step: number }
  | { op: 'close' };

export interface OpenResult {
  opened: number;
  openFailed: number;
  joined: number;
  joinFailed: number;
  connect: HistogramData;
  join: HistogramData;
  /** Clock time of the last join reply. */
  lastJoinAt: number;
  errors: string[];
}

export interface LoadResult {
  /** Messages sent per room. */
  sent: Record<string, number>;
  /** Sends skipped because the socket was closed. */
  skipped: number;
  /** How late the last message of the step left, in ms behind its schedule: the generator's own lag. */
  lagMs: number;
}

export interface Progress {
  delivered: number;
  acked: number;
  ackFailed: number;
  closed: number;
}

export interface StepStats extends Progress {
  latency: HistogramData;
  ack: HistogramData;
  /** Event loop utilization of this worker over the step (0..1): near 1 means the generator was the limit. */
  elu: number;
  /** The first refusals, verbatim. */
  errors: string[];
}

export type Request = Command & { id: number };
export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
