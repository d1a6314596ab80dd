/**
 * What every service answers on GET /healthz and GET /readyz, and on its `<service>.ready` NATS endpoint:
 * one shape for all three services and all three places (docs/operations.md, "Health and readiness").
 */
import { type Static, Type } from '@sinclair/typebox';

export const HealthCheckResult = Type.Object(
  {
    ok: Type.Boolean(),
    /** How long the check took, in milliseconds (to 0.1 ms). */
    ms: Type.Number({ minimum: 0 }),
    /** Why it failed, in words safe to show anyone: details stay in the service's log. */
    error: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type HealthCheckResult = Static<typeof HealthCheckResult>;

export const HealthReport = Type.Object(
  {
    /** `ok` when every check passed (HTTP 200), `unavailable` when any failed (HTTP 503). */
    status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
    service: Type.String(),
    /** By dependency: `nats`, `database`, and on the gateway `auth` and `rooms`. Empty on /healthz. */
    checks: Type.Record(Type.String(), HealthCheckResult),
    /** Cheap counters of what the process holds now (the gateway's sockets, rooms, admission), on /healthz. */
    stats: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type HealthReport = Static<typeof HealthReport>;

/** The body of a `<service>.ready` request: nothing to say. */
export const ReadyRequest = Type.Object({}, { additionalProperties: false });
export type ReadyRequest = Static<typeof ReadyRequest>;
