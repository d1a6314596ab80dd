/**
 * A connection whose account may not subscribe to its own reply inbox (a NATS permissions mistake): its
 * requests fail at once as UNAVAILABLE, every one of them, instead of each waiting out its deadline for an
 * answer nobody can receive.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChatError, ErrorCode } from '@chat/protocol';
import { type NatsServerHandle, startNatsServer } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection, request } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'chat-nats-inbox-'));
let server: NatsServerHandle;
let responder: NatsConnection;
let caller: NatsConnection;

beforeAll(async () => {
  const config = join(dir, 'nats.conf');
  writeFileSync(
    config,
    `authorization {
       users = [
         { user: responder, password: responder }
         { user: caller, password: caller, permissions: { publish: ">", subscribe: { deny: "_INBOX_caller.>" } } }
       ]
     }\n`,
  );
  server = await startNatsServer({ configFile: config });
  responder = await connectNats({ url: server.url, name: 'responder', user: 'responder', pass: 'responder' });
  responder.subscribe('echo.say', { callback: (_err, msg) => msg.respond(msg.data) });
  await responder.flush();
  caller = await connectNats({ url: server.url, name: 'caller', user: 'caller', pass: 'caller' });
});
afterAll(async () => {
  await caller?.close();
  await responder?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<ChatError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChatError);
  return err as ChatError;
}

describe('a reply inbox the server refuses', () => {
  it('fails every request as UNAVAILABLE without waiting for its deadline', async () => {
    // Deadlines far beyond the test's own timeout: a request that waited for one would fail the test.
    for (let i = 0; i < 3; i++) {
      const err = await failure(request(caller, 'echo.say', { i }, 60_000));
      expect(err.code).toBe(ErrorCode.UNAVAILABLE);
      expect(err.message).toBe('the echo service could not be reached');
    }
  }, 20_000);

  it('leaves the responder and other connections working', async () => {
    expect(await request(responder, 'echo.say', { ok: true })).toEqual({ ok: true });
  });
});
