/**
 * Whether a service behind the gateway can be used both ways the gateway uses it: over NATS (sockets' joins
 * and sends, user lookups) it must answer its `<service>.ready` request with a ready report; over HTTP (the
 * /api/* it forwards) its port must answer /healthz. Either one alone could pass while the other fails: a
 * service registers on NATS before it listens, and a wrong AUTH_URL leaves NATS untouched.
 */
import { ChatError, compile, ErrorCode, HealthReport } from '@chat/protocol';
import { type NatsConnection, request } from '@chat/nats';
import type { ReadinessCheck } from '@chat/service-kit';

const validReport = compile(HealthReport);

export function serviceReadiness(
  nc: NatsConnection,
  service: { subject: string; urls: string[] },
  timeoutMs: number,
): ReadinessCheck {
  const overNats = async (): Promise<string | undefined> => {
    let report: unknown;
    try {
      report = await request(nc, service.subject, {}, timeoutMs);
    } catch (err) {
      return `over NATS: ${err instanceof ChatError ? err.message : 'no answer'}`;
    }
    if (!validReport.check(report)) return 'over NATS: an answer that is not a readiness report';
    if (report.status === 'ok') return undefined;
    const failing = Object.entries(report.checks)
      .filter(([, check]) => !check.ok)
      .map(([name, check]) => `${name}: ${check.error ?? 'failed'}`);
    return `not ready (${failing.join('; ')})`;
  };
  const instanceHealth = async (url: string): Promise<string | undefined> => {
    try {
      const res = await fetch(new URL('/healthz', url), { signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return res.ok ? undefined : `status ${res.status}`;
    } catch (err) {
      // Not the URL nor the message: this report is public, and both could name internal hosts.
      if ((err as Error).name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      return `no answer${typeof code === 'string' ? ` (${code})` : ''}`;
    }
  };
  const overHttp = async (): Promise<string | undefined> => {
    const problems = await Promise.all(service.urls.map(instanceHealth));
    if (problems.some((p) => p === undefined)) return undefined;
    // Instances by position in the list, never by address, for the same reason as above.
    const each = problems.length === 1 ? problems : problems.map((p, i) => `instance ${i + 1}: ${p}`);
    return `over HTTP: ${each.join(', ')}`;
  };
  return async () => {
    const problems = (await Promise.all([overNats(), overHttp()])).filter((p) => p !== undefined);
    if (problems.length > 0) throw new ChatError(ErrorCode.UNAVAILABLE, problems.join('; '));
  };
}
