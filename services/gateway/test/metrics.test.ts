import { readFileSync } from 'node:fs';
import { SESSION_COOKIE } from '@chat/protocol';
import { type MetricsPage, openSocket, readMetrics, repoRoot } from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, gatewayConfigFromEnv } from '../src/index.js';
import { errorCode, ok } from './replies.js';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

function baseOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address !== 'object') throw new Error('not listening');
  return `http://127.0.0.1:${address.port}`;
}

const movedBetween =
  (before: MetricsPage, after: MetricsPage) =>
  (name: string, labels?: Record<string, string>): number =>
    after.value(name, labels) - before.value(name, labels);

describe("the gateway's /metrics", () => {
  it('moves with real chat: sockets, memberships, frames by type, deliveries, bytes out and NATS requests', async () => {
    const room = await stack.room('Metrics');
    const alice = await stack.user();
    const bob = await stack.user();
    const before = await readMetrics(stack.base);

    const a = await stack.socket(alice.token);
    const b = await stack.socket(bob.token);
    // The gateway says nothing to a socket until asked, so these see every byte it writes to them.
    let bytesReceived = 0;
    for (const s of [a, b]) s.ws.on('message', (data: Buffer) => (bytesReceived += data.length));
    ok(await a.request({ type: 'join', room }));
    ok(await b.request({ type: 'join', room }));
    for (let i = 0; i < 5; i++) ok(await a.request({ type: 'send', room, text: `metric ${i}` }));
    for (const s of [a, b]) await s.waitFor((f) => f.type === 'message' && f.message.text === 'metric 4');
    expect(errorCode(await a.request({ type: 'send', room: 'not-joined', text: 'x' }))).toBe('NOT_IN_ROOM');
    a.sendRaw(JSON.stringify({ type: 'shout', ref: 'odd' }));
    await a.waitFor((f) => f.type === 'reply' && f.ref === 'odd');

    const after = await readMetrics(stack.base);
    const moved = movedBetween(before, after);
    expect(moved('chat_gateway_sockets')).toBe(2);
    expect(moved('chat_gateway_room_memberships')).toBe(2);
    expect(moved('chat_gateway_rooms')).toBe(1);
    expect(moved('chat_gateway_frames_in_total', { type: 'join' })).toBe(2);
    expect(moved('chat_gateway_frames_in_total', { type: 'send' })).toBe(6);
    expect(moved('chat_gateway_frames_in_total', { type: 'invalid' })).toBe(1);
    // Every event either socket got (5 messages each, and the join notices) was one delivery.
    const events = [a, b].flatMap((s) => s.frames).filter((f) => f.type !== 'reply');
    expect(events.filter((f) => f.type === 'message')).toHaveLength(10);
    expect(moved('chat_gateway_deliveries_total')).toBe(events.length);
    expect(moved('chat_gateway_sent_bytes_total')).toBe(bytesReceived);
    expect(moved('chat_nats_request_duration_seconds_count', { subject: 'rooms.send' })).toBe(5);
    expect(moved('chat_nats_request_duration_seconds_count', { subject: 'rooms.join' })).toBe(2);
    expect(moved('chat_nats_request_failures_total', { subject: 'rooms.send' })).toBe(0);
  });

  it('counts refused handshakes by reason', async () => {
    const carol = await stack.user();
    const before = await readMetrics(stack.base);
    await expect(openSocket(stack.wsUrl, { token: 'not-a-token' })).rejects.toMatchObject({ status: 401 });
    const cookie = `${SESSION_COOKIE}=${carol.token}`;
    await expect(openSocket(stack.wsUrl, { cookie, origin: 'http://elsewhere.test' })).rejects.toMatchObject({
      status: 403,
    });
    const after = await readMetrics(stack.base);
    const moved = movedBetween(before, after);
    expect(moved('chat_gateway_handshakes_refused_total', { reason: 'unauthorized' })).toBe(1);
    expect(moved('chat_gateway_handshakes_refused_total', { reason: 'origin' })).toBe(1);
    expect(moved('chat_gateway_handshakes_refused_total')).toBe(2);
    expect(moved('chat_gateway_sockets')).toBe(0);
  });

  it('answers 403 to a peer METRICS_ALLOW does not name, whatever X-Forwarded-For claims', async () => {
    const gateway = await buildApp(
      gatewayConfigFromEnv({
        NODE_ENV: 'test',
        PORT: '0',
        LOG_LEVEL: 'warn',
        NATS_URL: stack.natsUrl,
        JWT_PUBLIC_KEY: stack.keys.publicKey,
        // Every peer's X-Forwarded-For is believed, and still the socket's own address is what counts.
        TRUST_PROXY: 'true',
        METRICS_ALLOW: '10.0.0.0/8,fd00::/8',
      }),
    );
    try {
      await gateway.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${baseOf(gateway)}/metrics`, { headers: { 'x-forwarded-for': '10.1.2.3' } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'FORBIDDEN' });
    } finally {
      await gateway.close();
    }
    expect(() => gatewayConfigFromEnv({ JWT_PUBLIC_KEY: stack.keys.publicKey, METRICS_ALLOW: 'everyone' })).toThrow(
      /METRICS_ALLOW/,
    );
  });
});

describe('deploy/grafana/chat-dashboard.json', () => {
  interface Panel {
    type: string;
    title: string;
    datasource?: { type: string; uid: string };
    targets?: { expr: string }[];
  }
  const dashboard = JSON.parse(readFileSync(`${repoRoot}deploy/grafana/chat-dashboard.json`, 'utf8')) as {
    uid: string;
    title: string;
    templating: { list: { name: string; type: string; query: string }[] };
    panels: Panel[];
  };
  const METRIC_NAME = /\b(?:chat|nodejs|process)_[a-z0-9_]+\b/g;

  it('imports into Grafana with a Prometheus data source chosen at import', () => {
    expect(dashboard.uid).toMatch(/^[a-z0-9-]+$/);
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.templating.list).toContainEqual(
      expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }),
    );
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(graphs.length).toBeGreaterThan(10);
    for (const panel of graphs) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template literal
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const { expr } of panel.targets ?? []) expect(expr.match(METRIC_NAME), panel.title).not.toBeNull();
    }
  });

  it('reads only metrics the services expose', async () => {
    const pages = await Promise.all(
      [stack.base, baseOf(stack.apps.auth), baseOf(stack.apps.rooms)].map((base) => readMetrics(base)),
    );
    const exposed = (name: string) =>
      pages.some((page) => {
        if (page.types.has(name)) return true;
        const histogram = name.replace(/_(bucket|sum|count)$/, '');
        return histogram !== name && page.types.get(histogram) === 'histogram';
      });
    const used = new Set(
      dashboard.panels.flatMap((p) => p.targets ?? []).flatMap(({ expr }) => expr.match(METRIC_NAME) ?? []),
    );
    expect(used.size).toBeGreaterThan(15);
    expect([...used].filter((name) => !exposed(name))).toEqual([]);
  });
});
