/**
 * The gateway's own metrics (docs/operations.md, "Metrics"). Fanout is the hottest path there is, so what
 * it counts is kept as plain numbers in GatewayTraffic (an increment per delivery, per frame) and added to
 * the Prometheus counters only when scraped; the gauges read the hub, the registry and the admission then too.
 */
import { type ClientFrameType, clientFrameSchemas, ErrorCode } from '@chat/protocol';
import { type Registry, scrapedCounter, scrapedGauge } from '@chat/service-kit';
import type { Admission } from './admission.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { Hub } from './hub.js';

/** A frame's type as counted: one of the protocol's, or `invalid` (unparseable, unknown, binary, malformed). */
export type FrameLabel = ClientFrameType | 'invalid';

/** Why a checked handshake was refused (the admission's own refusals are counted by the admission). */
const HANDSHAKE_REFUSALS: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.UNAUTHORIZED]: 'unauthorized',
  [ErrorCode.USER_DISABLED]: 'disabled',
  [ErrorCode.FORBIDDEN]: 'origin',
  [ErrorCode.RATE_LIMITED]: 'user_connection_cap',
  [ErrorCode.UNAVAILABLE]: 'auth_unavailable',
};

/** Counts kept by the hot paths: plain numbers, read when scraped. */
export class GatewayTraffic {
  /** Room events handed to sockets (one per member per event). */
  deliveries = 0;
  /** Payload bytes of every frame written to sockets (events and replies; WebSocket framing not counted). */
  bytesOut = 0;
  slowConsumersDropped = 0;
  readonly framesIn = Object.fromEntries(
    [...Object.keys(clientFrameSchemas), 'invalid'].map((type) => [type, 0]),
  ) as Record<FrameLabel, number>;
  readonly handshakesRefused: Record<string, number> = Object.fromEntries(
    [...Object.values(HANDSHAKE_REFUSALS), 'error'].map((reason) => [reason, 0]),
  );

  /** A handshake the /ws route refused, by the error it was refused with. */
  handshakeRefused(code: ErrorCode | undefined): void {
    const reason = (code && HANDSHAKE_REFUSALS[code]) ?? 'error';
    this.handshakesRefused[reason] = (this.handshakesRefused[reason] ?? 0) + 1;
  }
}

export function gatewayMetrics(
  registry: Registry,
  {
    traffic,
    hub,
    connections,
    admission,
  }: {
    traffic: GatewayTraffic;
    hub: Pick<Hub, 'stats'>;
    connections: Pick<ConnectionRegistry, 'size'>;
    admission: Pick<Admission, 'stats' | 'refusals'>;
  },
): void {
  scrapedGauge(registry, {
    name: 'chat_gateway_sockets',
    help: 'WebSockets open on this gateway',
    read: () => connections.size,
  });
  scrapedGauge(registry, {
    name: 'chat_gateway_room_memberships',
    help: 'room memberships of the sockets open here (a socket in three rooms counts three)',
    read: () => hub.stats().members,
  });
  scrapedGauge(registry, {
    name: 'chat_gateway_rooms',
    help: 'rooms with members or joins under way here (one NATS subscription each)',
    read: () => hub.stats().rooms,
  });
  scrapedGauge(registry, {
    name: 'chat_gateway_admission_waiting',
    help: 'handshakes waiting their turn at the admission',
    read: () => admission.stats().waiting,
  });
  scrapedCounter(registry, {
    name: 'chat_gateway_frames_in_total',
    help: 'frames received from clients, by type (invalid: unparseable, unknown type, binary or malformed)',
    label: 'type',
    read: () => traffic.framesIn,
  });
  scrapedCounter(registry, {
    name: 'chat_gateway_deliveries_total',
    help: 'room events handed to sockets (one per member per event)',
    read: () => traffic.deliveries,
  });
  scrapedCounter(registry, {
    name: 'chat_gateway_sent_bytes_total',
    help: 'payload bytes of the frames written to sockets, events and replies (WebSocket framing not counted)',
    read: () => traffic.bytesOut,
  });
  scrapedCounter(registry, {
    name: 'chat_gateway_slow_consumers_dropped_total',
    help: `sockets dropped because their unsent backlog passed SEND_BUFFER_LIMIT_BYTES`,
    read: () => traffic.slowConsumersDropped,
  });
  scrapedCounter(registry, {
    name: 'chat_gateway_handshakes_refused_total',
    help: 'WebSocket handshakes refused, by reason',
    label: 'reason',
    read: () => ({ ...traffic.handshakesRefused, ...admission.refusals }),
  });
}
