/**
 * A connection whose account may not subscribe to its own reply inbox (a NATS permissions mistake): its
 * requests fail at once as UNAVAILABLE, every one of them, instead of each waiting out its deadline for an
 * answer nobody can receive; once the permissions are fixed, the same connection works again.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode } from '@chat/protocol';
import { type NatsServerHandle, startNatsServer } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsConnection, request } from '../src/index.js';
import { failure } from './expect-failure.js';

const dir = mkdtempSync(join(tmpdir(), 'chat-nats-inbox-'));
const config = join(dir, 'nats.conf');
function writeConfig(callerPermissions: string): void {
  writeFileSync(
    config,
    `authorization {
       users = [
         { user: responder, password: responder }
         { user: caller, password: caller, permissions: ${callerPermissions} }
       ]
     }\n`,
  );
}
let server: NatsServerHandle;
let responder: NatsConnection;
let caller: NatsConnection;

beforeAll(async () => {
  writeConfig('{ publish: ">", subscribe: { deny: "_INBOX_caller.>" } }');
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

  it('works again once the permissions are fixed and the server reloaded, on the same connection', async () => {
    writeConfig('{ publish: ">", subscribe: "_INBOX_caller.>" }');
    server.reload();
    let answer: unknown;
    for (let tries = 0; answer === undefined && tries < 50; tries++) {
      // The reload takes effect shortly after the signal; until then requests still fail at once.
      answer = await request(caller, 'echo.say', { back: true }, 2000).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    expect(answer).toEqual({ back: true });
  });
});
