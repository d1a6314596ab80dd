/**
 * The combined OpenAPI document at /api/openapi.json, and the API answering as it says: every operation in
 * it is called through the gateway on a real stack, and each answer's status must be one the document lists
 * for the operation, with a body of the documented schema. A route added without a way to call it here fails.
 */
import {
  type OpenApiDocument,
  openApiProblems,
  operationsOf,
  responseChecker,
  startTcpProxy,
  type TcpProxy,
} from '@chat/test-kit';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, gatewayConfigFromEnv } from '../../src/index.js';
import { type Stack, startStack } from '../stack.js';

let stack: Stack;
let document: OpenApiDocument;
/** A second gateway, whose links to the services (and only those) the test cuts and restores. */
let cutOff: { app: FastifyInstance; base: string; links: TcpProxy[] };

async function linkedGateway(): Promise<typeof cutOff> {
  const links: TcpProxy[] = [];
  const through = async (app: FastifyInstance) => {
    const address = app.server.address();
    if (!address || typeof address !== 'object') throw new Error('not listening');
    const link = await startTcpProxy({ host: '127.0.0.1', port: address.port });
    links.push(link);
    return `http://${link.host}:${link.port}`;
  };
  const app = await buildApp(
    gatewayConfigFromEnv({
      NODE_ENV: 'test',
      PORT: '0',
      LOG_LEVEL: 'silent',
      NATS_URL: stack.natsUrl,
      JWT_PUBLIC_KEY: stack.keys.publicKey,
      AUTH_URL: await through(stack.apps.auth),
      ROOMS_URL: await through(stack.apps.rooms),
    }),
  );
  return { app, base: await app.listen({ host: '127.0.0.1', port: 0 }), links };
}
const cut = () => {
  for (const link of cutOff.links) link.cut();
};
const restore = () => {
  for (const link of cutOff.links) link.restore();
};

beforeAll(async () => {
  stack = await startStack();
  const res = await stack.call('GET', '/api/openapi.json');
  expect(res.status).toBe(200);
  document = res.body;
  cutOff = await linkedGateway();
});
afterAll(async () => {
  await cutOff?.app.close();
  for (const link of cutOff?.links ?? []) await link.stop();
  await stack?.stop();
});

describe('the combined OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and documents every operation fully', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(await openApiProblems(document)).toEqual([]);
  });

  it("is valid as every process's own document is, the gateway's included", async () => {
    for (const app of [stack.apps.auth, stack.apps.rooms, stack.apps.gateway]) {
      const own = await app.inject({ method: 'GET', url: '/openapi.json' });
      expect(own.statusCode).toBe(200);
      expect(await openApiProblems(own.json())).toEqual([]);
    }
    const gateways = (await stack.apps.gateway.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
    expect(Object.keys(gateways.paths)).toContain('/readyz');
  });

  it("holds every /api/ path of each service's own document, as the gateway forwards it", async () => {
    const servicePaths: string[] = [];
    for (const app of [stack.apps.auth, stack.apps.rooms]) {
      const own = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
      servicePaths.push(...Object.keys(own.paths).filter((path) => path.startsWith('/api/')));
    }
    expect(Object.keys(document.paths).sort()).toEqual([...servicePaths, '/api/openapi.json'].sort());
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(['bearerAuth', 'sessionCookie']);
  });

  it('is UNAVAILABLE until every service gave its part, asked again after a failure, and kept once had', async () => {
    const checker = responseChecker(document);
    const get = async () => {
      const res = await fetch(`${cutOff.base}/api/openapi.json`);
      const body = await res.json();
      expect(checker.check('getOpenApiDocument', res.status, body)).toEqual([]);
      return { status: res.status, body };
    };
    cut();
    const unavailable = await get();
    expect(unavailable.status).toBe(503);
    expect(unavailable.body).toMatchObject({ code: 'UNAVAILABLE' });
    restore();
    const whole = await get();
    expect(whole.status).toBe(200);
    expect(whole.body).toEqual(document);
    cut();
    expect(await get()).toEqual(whole);
  });
});

describe('the API browser at /api/docs', () => {
  it('is served from the gateway itself, under a CSP that allows this origin only', async () => {
    const page = await stack.raw('GET', '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("default-src 'self';");
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset, 'no asset from another origin').not.toMatch(/^(https?:)?\/\//);
      const res = await stack.raw('GET', new URL(asset, `${stack.base}/api/docs`).pathname);
      expect(res.status, asset).toBe(200);
    }
    // Only the docs pages may use inline styles (Swagger UI sets some); the chat keeps its strict policy.
    expect((await stack.raw('GET', '/api/openapi.json')).headers['content-security-policy']).toContain(
      "style-src 'self';",
    );
  });

  it('shows the combined document', async () => {
    const res = await stack.raw('GET', '/api/docs/json');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/api/openapi.json');
  });
});

interface Answer {
  status: number;
  body: unknown;
}

/** One call of an operation: the path's parameters, the query, the body and whose token, if any. */
interface Call {
  params?: Record<string, string>;
  query?: string;
  body?: unknown;
  token?: string;
  /** Ask the second gateway, with its links to the services cut. */
  cutOff?: boolean;
  /** The status this call must get: each case proves a behaviour, not only the document's shape. */
  expect: number;
}

type Cases = Record<string, (fixtures: Fixtures) => Promise<Call[]> | Call[]>;

interface Fixtures {
  admin: string;
  user: { id: string; token: string };
  /** A user of its own for each call that changes or ends one. */
  freshUser(): Promise<{ id: string; token: string; username: string; password: string }>;
  room: string;
  staffRoom: string;
  freshRoom(): Promise<string>;
}

const UNKNOWN_UUID = '00000000-0000-4000-8000-000000000000';

/** How to call each operationId of the document: success and at least one documented error per family. */
const cases: Cases = {
  // Its 503 (a service's part never had) is shown in 'the combined OpenAPI document' above.
  getOpenApiDocument: () => [{ expect: 200 }],

  login: async ({ freshUser }) => {
    const { username, password } = await freshUser();
    return [
      { body: { username, password }, expect: 200 },
      { body: { username, password: 'not-the-password' }, expect: 401 },
      { body: { username: '' }, expect: 400 },
    ];
  },
  logout: async ({ freshUser }) => [{ token: (await freshUser()).token, expect: 204 }, { expect: 204 }],
  getCurrentUser: ({ user }) => [{ token: user.token, expect: 200 }, { expect: 401 }],

  listUsers: ({ admin, user }) => [
    { token: admin, expect: 200 },
    { token: user.token, expect: 403 },
  ],
  createUser: ({ admin }) => [
    { token: admin, body: { username: 'created-by-case', password: 'a-password', isStaff: true }, expect: 201 },
    { token: admin, body: { username: 'CREATED-by-case', password: 'a-password' }, expect: 409 },
    { token: admin, body: { username: 'no-password' }, expect: 400 },
  ],
  updateUser: async ({ admin, freshUser }) => [
    { token: admin, params: { id: (await freshUser()).id }, body: { isStaff: true }, expect: 200 },
    { token: admin, params: { id: UNKNOWN_UUID }, body: { isStaff: true }, expect: 404 },
  ],
  deleteUser: async ({ admin, freshUser }) => {
    const { id } = await freshUser();
    return [
      { token: admin, params: { id }, expect: 204 },
      { token: admin, params: { id }, expect: 404 },
    ];
  },

  listRooms: ({ user }) => [{ token: user.token, expect: 200 }, { expect: 401 }],
  getRoom: ({ user, staffRoom }) => [
    { token: user.token, params: { id: staffRoom }, expect: 200 },
    { token: user.token, params: { id: 'no-such-room' }, expect: 404 },
    { token: user.token, params: { id: 'x'.repeat(150) }, expect: 414 },
  ],
  createRoom: ({ admin, user }) => [
    { token: admin, body: { title: 'Made by a case', staffOnly: true }, expect: 201 },
    { token: user.token, body: { title: 'Not allowed' }, expect: 403 },
  ],
  updateRoom: async ({ admin, freshRoom }) => [
    { token: admin, params: { id: await freshRoom() }, body: { title: 'Renamed' }, expect: 200 },
    { token: admin, params: { id: 'no-such-room' }, body: { title: 'Renamed' }, expect: 404 },
  ],
  deleteRoom: async ({ admin, freshRoom }) => {
    const id = await freshRoom();
    return [
      { token: admin, params: { id }, expect: 204 },
      { token: admin, params: { id }, expect: 404 },
    ];
  },
  listRoomMessages: ({ user, room, staffRoom }) => [
    { token: user.token, params: { id: room }, query: 'limit=10', expect: 200 },
    { token: user.token, params: { id: staffRoom }, expect: 403 },
    { token: user.token, params: { id: room }, query: 'limit=0', expect: 400 },
  ],

  getApiAuthReadyz: () => [{ expect: 200 }, { cutOff: true, expect: 503 }],
  getApiAuthHealth: () => [{ expect: 200 }],
  getApiRoomsReadyz: () => [{ expect: 200 }, { cutOff: true, expect: 503 }],
  getApiRoomsHealth: () => [{ expect: 200 }],
};

describe('every documented operation, called through the gateway', () => {
  let fixtures: Fixtures;
  beforeAll(async () => {
    const user = await stack.user();
    const room = await stack.room('Documented');
    // A message in the room, so that a page of history has one to check against the schema.
    const socket = await stack.socket(user.token);
    await socket.request({ type: 'join', room });
    await socket.request({ type: 'send', room, text: 'in the history' });
    let rooms = 0;
    fixtures = {
      admin: stack.adminToken,
      user,
      freshUser: () => stack.user(),
      room,
      staffRoom: await stack.room('Documented staff', true),
      freshRoom: () => stack.room(`Documented ${++rooms}`),
    };
  });

  it('has a case for each operation, and each answer is one the document lists, with its schema', async () => {
    const checker = responseChecker(document);
    const problems: string[] = [];
    for (const { method, path, operation } of operationsOf(document)) {
      const operationId = operation.operationId as string;
      const makeCalls = cases[operationId];
      if (!makeCalls) {
        problems.push(`${operationId} (${method} ${path}): no case says how to call it`);
        continue;
      }
      for (const call of await makeCalls(fixtures)) {
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(call.params?.[name] ?? ''));
        if (call.cutOff) cut();
        const base = call.cutOff ? cutOff.base : stack.base;
        const answer = await send(base, method, call.query ? `${url}?${call.query}` : url, call);
        const where = `${operationId} ${method} ${url}`;
        if (answer.status !== call.expect) problems.push(`${where}: ${answer.status}, not ${call.expect}`);
        problems.push(
          ...checker.check(operationId, answer.status, answer.body).map((problem) => `${where}: ${problem}`),
        );
      }
    }
    expect(problems).toEqual([]);
  });
});

async function send(base: string, method: string, path: string, call: Call): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(base + path, {
    method,
    headers,
    ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
