/**
 * The gateway restarts under two open browsers (a deploy): both show that they are reconnecting, come back by
 * themselves, and the conversation goes on with every message exactly once and in order: the client that missed
 * messages rejoins from its last seq and gets them in the join reply, no history paging. The services run as
 * separate processes here so the gateway can be stopped alone.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium, Person, screenshot } from './support/browser';
import { createSuperuser, type ServiceStack, startServiceStack } from './support/stack';

const ADMIN = { username: 'admin', password: 'admin-e2e-secret' };
const CAROL = { username: 'carol', password: 'carol-e2e-secret' };
const ROOM = 'Deploy watch';

let stack: ServiceStack;
let browser: Browser;
let admin: Person;
let carol: Person;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startServiceStack('reconnect'), launchChromium()]);
  await createSuperuser(stack, ADMIN.username, ADMIN.password);
  admin = await Person.signIn(browser, stack.baseUrl, ADMIN.username, ADMIN.password);
  await admin.openAdmin();
  await admin.createRoom(ROOM);
  await admin.createUser(CAROL.username, CAROL.password);
  await admin.openChat();
  carol = await Person.signIn(browser, stack.baseUrl, CAROL.username, CAROL.password);
  await admin.joinRoom(ROOM);
  await carol.joinRoom(ROOM);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

test('after a gateway restart both clients reconnect and the conversation continues without gaps or duplicates', async () => {
  const before = ['Deploying in a minute.', 'OK, I will keep typing.', 'Here it goes.'];
  await admin.send(ROOM, before[0]!);
  await carol.send(ROOM, before[1]!);
  await admin.send(ROOM, before[2]!);
  await carol.message(ROOM, before[2]!).waitFor();
  for (const person of [admin, carol]) expect((await person.messages(ROOM)).map((m) => m.text)).toEqual(before);
  const lastSeen = (await carol.messages(ROOM)).at(-1)!.seq;
  // What carol's client asks from here on, over whichever socket it has.
  const asked: { type?: string; room?: string; since?: number; epoch?: number }[] = [];
  carol.page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (typeof payload === 'string') asked.push(JSON.parse(payload));
    }),
  );

  // The gateway goes away for a moment: both clients say so, and carol's draft waits in the composer.
  const restart = stack.restartGateway({ downMs: 1_500 });
  restart.catch(() => {}); // awaited below; this only keeps a failed start from being reported twice
  await Promise.all([admin.connection('reconnecting'), carol.connection('reconnecting')]);
  await screenshot(carol.page, 'chat-reconnecting');
  const draft = 'Typed while the server was away.';
  await carol.composer(ROOM).fill(draft);
  // Carol's own network is down too, so she comes back after the admin and misses what he says meanwhile.
  await carol.page.context().setOffline(true);
  await restart;

  await admin.connection('connected', 30_000);
  await admin.canSend(ROOM);
  const missed = ['The server is back. Carol, are you there?', 'She will see this when she is back.'];
  for (const text of missed) await admin.send(ROOM, text);
  expect(await carol.page.getByTestId('connection-status').getAttribute('data-state')).toBe('reconnecting');

  await carol.page.context().setOffline(false);
  await carol.connection('connected', 30_000);
  await carol.canSend(ROOM);
  await carol.message(ROOM, missed[1]!).waitFor();
  // She rejoined from the last message she had, in the room's incarnation, and paged nothing.
  const rejoins = asked.filter((frame) => frame.type === 'join');
  expect(rejoins).toHaveLength(1);
  expect(rejoins[0]).toMatchObject({ since: lastSeen, epoch: expect.any(Number) });
  expect(asked.some((frame) => frame.type === 'history')).toBe(false);
  await carol.composer(ROOM).press('Enter');
  await admin.message(ROOM, draft).waitFor();
  const after = [...missed, draft, 'Welcome back, carol.', 'Nothing lost on my side.', 'Nor on mine.'];
  await admin.send(ROOM, after[3]!);
  await carol.send(ROOM, after[4]!);
  await admin.send(ROOM, after[5]!);
  await carol.message(ROOM, after[5]!).waitFor();

  const expected = [...before, ...after];
  for (const person of [admin, carol]) {
    const messages = await person.messages(ROOM);
    expect(messages.map((m) => m.text)).toEqual(expected);
    // seq is per room and gapless on the server: shown in order, each once, none skipped.
    const first = messages[0]!.seq;
    expect(messages.map((m) => m.seq)).toEqual(expected.map((_, i) => first + i));
    expect(person.pageErrors).toEqual([]);
  }
  await screenshot(carol.page, 'chat-after-restart');
});
