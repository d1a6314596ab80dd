/**
 * Who is in a room and who is typing, as two people see it in headless Chromium against `npm start`'s stack:
 * the member list with its online count follows joins and leaves, and "… is typing…" shows under the messages
 * while the other types and goes when they stop.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { launchChromium, Person, screenshot } from './support/browser';
import { createSuperuser, type Stack, startDevStack } from './support/stack';

const ADMIN = { username: 'admin', password: 'admin-e2e-secret' };
const CARA = { username: 'cara', password: 'cara-e2e-secret' };
const ROOM = 'Meeting point';
/** "Within a second or two": a notice or a typing line crosses the stack like a message. */
const SHOWN_MS = 2_000;

let stack: Stack;
let browser: Browser;
let admin: Person;
let cara: Person;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startDevStack('presence'), launchChromium()]);
  await createSuperuser(stack, ADMIN.username, ADMIN.password);
  admin = await Person.signIn(browser, stack.baseUrl, ADMIN.username, ADMIN.password);
  await admin.openAdmin();
  await admin.createRoom(ROOM);
  await admin.createUser(CARA.username, CARA.password);
  await admin.openChat();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  expect([...(admin?.pageErrors ?? []), ...(cara?.pageErrors ?? [])]).toEqual([]);
});

const members = (person: Person) => person.panel(ROOM).getByTestId('member');
const count = (person: Person) => person.panel(ROOM).getByTestId('member-count');
const typingLine = (person: Person) => person.panel(ROOM).getByTestId('typing');

test('the member list shows who is in the room and follows them coming and going', async () => {
  await admin.joinRoom(ROOM);
  await expect.poll(() => count(admin).textContent()).toBe('1 online');
  cara = await Person.signIn(browser, stack.baseUrl, CARA.username, CARA.password);
  await cara.joinRoom(ROOM);
  // Cara's join reply lists both; the admin's list takes her in from the joined notice.
  await expect.poll(() => members(cara).allTextContents()).toEqual(['admin', 'cara']);
  await expect.poll(() => members(admin).allTextContents(), { timeout: SHOWN_MS }).toEqual(['admin', 'cara']);
  expect(await count(admin).textContent()).toBe('2 online');
  await screenshot(admin.page, 'presence-members');
});

test('"cara is typing…" shows while she types and goes when she sends or empties the box', async () => {
  await cara.composer(ROOM).fill('Hello there');
  await expect.poll(() => typingLine(admin).textContent(), { timeout: SHOWN_MS }).toContain('cara is typing…');
  expect((await typingLine(cara).textContent())?.trim(), 'never her own').toBe('');
  await screenshot(admin.page, 'presence-typing');
  // Sending ends it: the message arrives and the line is gone.
  await cara.composer(ROOM).press('Enter');
  await admin.message(ROOM, 'Hello there').waitFor({ timeout: SHOWN_MS });
  expect((await typingLine(admin).textContent())?.trim()).toBe('');
  // Typing again (at once: the message ended the last typing) and emptying the box stops it.
  await cara.composer(ROOM).fill('One more');
  await expect.poll(() => typingLine(admin).textContent(), { timeout: SHOWN_MS }).toContain('cara is typing…');
  await cara.composer(ROOM).fill('');
  await expect.poll(async () => (await typingLine(admin).textContent())?.trim(), { timeout: SHOWN_MS }).toBe('');
});

test('when the other user leaves, the member list drops them and the count goes down', async () => {
  await cara
    .panel(ROOM)
    .getByRole('button', { name: `Close ${ROOM}` })
    .click();
  await expect.poll(() => members(admin).allTextContents(), { timeout: SHOWN_MS }).toEqual(['admin']);
  expect(await count(admin).textContent()).toBe('1 online');
});
