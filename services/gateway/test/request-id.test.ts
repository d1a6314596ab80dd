/**
 * One request followed across the services by its id: the stack as processes (what an operator runs), the
 * gateway and rooms at LOG_LEVEL=debug, where each writes one line per request, and their real log output read
 * back. The id a client is told with an error is the one those lines carry.
 */
import { isRequestId, type ReplyError } from '@chat/protocol';
import { type ServiceProcess, Stack } from '@chat/stack';
import { createTestDatabase, generateSigningKeys, openSocket, restClient, type TestSocket } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let stack: Stack;
let drop: () => Promise<void>;
let gateway: ServiceProcess;
let rooms: ServiceProcess;
let call: ReturnType<typeof restClient>['call'];
let token: string;
let room: string;
let socket: TestSocket;

beforeAll(async () => {
  const database = await createTestDatabase('chat_request_ids');
  drop = database.drop;
  const keys = generateSigningKeys();
  stack = await Stack.start({
    database: { url: database.url },
    logs: 'memory',
    env: { NODE_ENV: 'test', LOG_LEVEL: 'info', JWT_PUBLIC_KEY: keys.publicKey },
    authEnv: { JWT_PRIVATE_KEY: keys.privateKey },
    roomsEnv: { LOG_LEVEL: 'debug' },
    gatewayEnv: { LOG_LEVEL: 'debug' },
  });
  gateway = stack.gateways[0] as ServiceProcess;
  rooms = stack.rooms[0] as ServiceProcess;
  await stack.createSuperuser('admin', 'admin-password');
  const client = restClient(stack.gatewayUrl);
  call = client.call;
  token = await client.login('admin', 'admin-password');
  room = (await call('POST', '/api/rooms', { token, body: { title: 'Traced' } })).body.id;
  socket = await openSocket(`${stack.gatewayUrl.replace('http', 'ws')}/ws`, { token });
  expect((await socket.request({ type: 'join', room })).ok).toBe(true);
});

afterAll(async () => {
  socket?.ws.terminate();
  await stack?.stop();
  await drop?.();
});

/** The service's log lines that carry `reqId`, once it has written them (its output reaches us a moment later). */
async function linesOf(service: ServiceProcess, reqId: string, expected = 1) {
  const lines = () => service.logRecords().filter((line) => line.reqId === reqId);
  await expect.poll(() => lines().length, { timeout: 5000 }).toBeGreaterThanOrEqual(expected);
  return lines();
}

async function refusal(frame: Record<string, unknown>): Promise<ReplyError> {
  const reply = await socket.request(frame);
  if (reply.ok) throw new Error(`expected a refusal, got ${JSON.stringify(reply)}`);
  return reply;
}

describe('request ids', () => {
  it('a message sent over a socket is logged by the gateway and by rooms under the same request id', async () => {
    const text = `traced ${Date.now()}`;
    expect((await socket.request({ type: 'send', room, text })).ok).toBe(true);

    const sent = () =>
      gateway.logRecords().find((line) => line.type === 'send' && line.room === room && line.code === undefined);
    await expect.poll(sent, { timeout: 5000 }).toBeDefined();
    const reqId = sent()?.reqId;
    expect(isRequestId(reqId)).toBe(true);

    const inRooms = await linesOf(rooms, reqId as string);
    expect(inRooms).toContainEqual(expect.objectContaining({ service: 'rooms', subject: 'rooms.send', reqId }));
  });

  it('an error frame names its request id, which the gateway logged the refusal under', async () => {
    const { error } = await refusal({ type: 'send', room: 'not-joined', text: 'hello?' });
    expect(error.code).toBe('NOT_IN_ROOM');
    expect(isRequestId(error.requestId)).toBe(true);

    const lines = await linesOf(gateway, error.requestId as string);
    expect(lines).toContainEqual(expect.objectContaining({ type: 'send', room: 'not-joined', code: 'NOT_IN_ROOM' }));
  });

  it('a request that rooms refuses names the id under which both the gateway and rooms logged it', async () => {
    const { error } = await refusal({ type: 'delete', room, id: '00000000-0000-4000-8000-000000000000' });
    expect(error.code).toBe('NOT_FOUND');

    const reqId = error.requestId as string;
    expect(await linesOf(gateway, reqId)).toContainEqual(
      expect.objectContaining({ type: 'delete', code: 'NOT_FOUND' }),
    );
    expect(await linesOf(rooms, reqId)).toContainEqual(
      expect.objectContaining({ subject: 'rooms.delete', code: 'NOT_FOUND' }),
    );
  });

  it('every frame gets an id of its own, even one too broken to read', async () => {
    const mark = socket.frames.length;
    socket.sendRaw('{"type":');
    const broken = await socket.waitFor((f) => f.type === 'reply' && !f.ok, 5000, mark);
    const again = await refusal({ type: 'leave', room: 'not-joined' });
    expect(broken.type === 'reply' && !broken.ok && broken.error.code).toBe('BAD_REQUEST');
    const ids = [broken.type === 'reply' && !broken.ok ? broken.error.requestId : undefined, again.error.requestId];
    expect(ids.every(isRequestId)).toBe(true);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('an HTTP call through the gateway is answered with its id, made by the gateway whatever the client sent', async () => {
    const res = await call('GET', '/api/rooms/no-such-room', {
      token,
      headers: { 'x-request-id': 'client-chosen-id' },
    });
    expect(res.status).toBe(404);
    const reqId = res.headers.get('x-request-id');
    expect(isRequestId(reqId)).toBe(true);
    expect(reqId).not.toBe('client-chosen-id');
    expect(res.body).toMatchObject({ code: 'ROOM_INVALID', requestId: reqId });

    // Rooms answered it under the gateway's id (its one line per request, at debug), and never saw the client's.
    const inRooms = await linesOf(rooms, reqId as string);
    expect(inRooms).toContainEqual(expect.objectContaining({ req: expect.objectContaining({ method: 'GET' }) }));
    expect(rooms.logs()).not.toContain('client-chosen-id');
  });
});
