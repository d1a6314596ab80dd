/**
 * What the gateway relies on in @fastify/websocket and ws beyond their documented APIs (upgrade-release.ts,
 * and the TCP socket a connection corks): when a new version changes it, these fail.
 */
import type { ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { releaseUpgrade } from '../src/upgrade-release.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Upgraded {
  ws: WebSocket;
  tcp: Socket;
  /** What the upgrade made, held weakly: the request (Fastify's and Node's) and the stand-in response. */
  leftovers: WeakRef<object>[];
}

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

/** A server whose /ws route lets go of the upgrade as the gateway's does; resolves each socket it opens. */
async function server(): Promise<{ url: string; next: () => Promise<Upgraded> }> {
  app = Fastify();
  await app.register(fastifyWebsocket);
  const responses = new WeakMap<FastifyRequest, ServerResponse>();
  const waiting: ((upgraded: Upgraded) => void)[] = [];
  app.get(
    '/ws',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        responses.set(request, reply.raw);
      },
    },
    (ws, request) => {
      const tcp = request.raw.socket;
      const response = responses.get(request) as ServerResponse;
      const leftovers = [new WeakRef(request), new WeakRef(request.raw), new WeakRef(response)];
      releaseUpgrade(ws, tcp, response);
      ws.on('error', () => {});
      ws.on('message', (data) => ws.send(data, { binary: false }));
      waiting.shift()?.({ ws, tcp, leftovers });
    },
  );
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

async function open(url: string): Promise<WebSocket> {
  const client = new WebSocket(url);
  await new Promise((resolve, reject) => {
    client.once('open', resolve);
    client.once('error', reject);
  });
  return client;
}

function nextMessage(client: WebSocket): Promise<string> {
  return new Promise((resolve) => client.once('message', (data) => resolve(String(data))));
}

describe('an upgraded WebSocket', () => {
  it("is written through the upgrade request's TCP socket, so corking that socket holds its frames", async () => {
    const { url, next } = await server();
    const opened = next();
    const client = await open(url);
    const { ws, tcp } = await opened;

    const before = tcp.writableLength;
    tcp.cork();
    ws.send('corked', { binary: false });
    // A short server frame: 2 bytes of header, then the text.
    expect(tcp.writableLength - before).toBe(2 + 'corked'.length);
    const received = nextMessage(client);
    tcp.uncork();
    expect(await received).toBe('corked');
    client.close();
  });

  it('keeps nothing of the upgrade once released: its request and response are collected while it is open', async () => {
    const { url, next } = await server();
    const opened = next();
    const client = await open(url);
    const { ws, leftovers } = await opened;

    for (let i = 0; i < 5 && leftovers.some((ref) => ref.deref()); i++) {
      await nextTurn();
      gc();
    }
    expect(leftovers.map((ref) => ref.deref() === undefined)).toEqual([true, true, true]);
    // The connection itself goes on, with the error listener it was given as its only one.
    expect(ws.listenerCount('error')).toBe(1);
    const echoed = nextMessage(client);
    client.send('still here');
    expect(await echoed).toBe('still here');
    client.close();
  });
});
