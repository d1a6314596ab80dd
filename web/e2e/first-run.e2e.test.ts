/**
 * A newcomer's first minutes, in headless Chromium against `npm start`'s stack (scripts/dev-stack.mjs): what the
 * app is called, who they are signed in as, what to do while there are no rooms, labels they can read, and the
 * chat and admin pages on a phone. The steps build on each other: the admin starts with nothing, then sets up.
 */
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { launchChromium, PHONE, Person, screenshot } from './support/browser';
import { fieldsWithoutVisibleLabel, verticalScrollers } from './support/page-checks';
import { createSuperuser, type Stack, startDevStack } from './support/stack';

const ADMIN = { username: 'admin', password: 'admin-e2e-secret' };
const BOB = { username: 'bob', password: 'bob-e2e-secret' };
const CAROL = { username: 'carol', password: 'carol-e2e-secret' };
const LOBBY = 'Lobby';
const STAFF_ROOM = 'Staff lounge';

let stack: Stack;
let browser: Browser;
const people: Person[] = [];
let admin: Person;
let bob: Person;

async function signIn(who: { username: string; password: string }, options?: Parameters<typeof Person.signIn>[4]) {
  const person = await Person.signIn(browser, stack.baseUrl, who.username, who.password, options);
  people.push(person);
  return person;
}

beforeAll(async () => {
  [stack, browser] = await Promise.all([startDevStack('first-run'), launchChromium()]);
  await createSuperuser(stack, ADMIN.username, ADMIN.password);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  expect(people.flatMap((person) => person.pageErrors)).toEqual([]);
});

test('the app is called MultiChat, and an administrator with no rooms yet is led to where rooms are created', async () => {
  admin = await signIn(ADMIN);
  const page = admin.page;
  expect(await page.title()).toBe('MultiChat');
  await page.getByText('MultiChat', { exact: true }).waitFor();
  expect(await page.getByTestId('current-user').textContent()).toMatch(/Signed in as\s+admin\s+\(administrator\)/);

  const hint = page.getByTestId('no-rooms-hint');
  await hint.waitFor();
  expect(await hint.textContent()).toContain('There are no rooms yet.');
  await screenshot(page, 'first-run-admin-no-rooms');
  await hint.getByRole('link', { name: 'Create a room' }).click();
  await page.getByRole('heading', { name: 'Administration' }).waitFor();
  await page.getByLabel('Room title').waitFor();
  await page.getByTestId('no-rooms').waitFor();
});

test('a user with no rooms is told an administrator has to create one; staff are shown as staff', async () => {
  await admin.createUser(BOB.username, BOB.password);
  await admin.createUser(CAROL.username, CAROL.password, { staff: true });

  bob = await signIn(BOB);
  const hint = bob.page.getByTestId('no-rooms-hint');
  await hint.waitFor();
  expect(await hint.textContent()).toContain('An administrator has to create one');
  expect(await hint.getByRole('link').count()).toBe(0);
  expect(await bob.page.getByTestId('current-user').textContent()).not.toMatch(/staff|administrator/);

  const carol = await signIn(CAROL);
  expect(await carol.page.getByTestId('current-user').textContent()).toMatch(/Signed in as\s+carol\s+\(staff\)/);
  await carol.close();

  // The room shows up by itself, and opened it says it is empty.
  await admin.createRoom(LOBBY);
  await admin.createRoom(STAFF_ROOM, { staffOnly: true });
  await bob.roomInList(LOBBY).waitFor();
  await hint.waitFor({ state: 'detached' });
  await bob.joinRoom(LOBBY);
  expect(await bob.panel(LOBBY).getByTestId('empty-room').textContent()).toBe(`No messages in ${LOBBY} yet.`);
});

test('every field has a label one can see, and the labels name the fields', async () => {
  const page = admin.page;
  expect(await fieldsWithoutVisibleLabel(page)).toEqual([]);
  // Carol's, since a new password signs the user out everywhere.
  await page.getByLabel(`New password for ${CAROL.username}`, { exact: true }).fill('carol-new-e2e-secret');
  await page.getByRole('button', { name: `Reset password for ${CAROL.username}`, exact: true }).click();
  await page.getByText(`Password reset for ${CAROL.username}.`).waitFor();
  await page.getByLabel(`Title of ${LOBBY}`, { exact: true }).waitFor();

  await bob.send(LOBBY, 'Hello, is anyone here?');
  await bob
    .message(LOBBY, 'Hello, is anyone here?')
    .getByRole('button', { name: /^Edit your message from / })
    .click();
  await bob.panel(LOBBY).getByLabel('Edit message').waitFor();
  expect(await fieldsWithoutVisibleLabel(bob.page)).toEqual([]);
  await bob.panel(LOBBY).getByRole('button', { name: 'Cancel' }).click();
  await bob.panel(LOBBY).getByLabel('Message', { exact: true }).waitFor();
});

test('on a phone the open room gets the whole width, and the room list is one button away', async () => {
  const phone = await signIn(BOB, { viewport: PHONE });
  const page = phone.page;
  const rooms = page.getByRole('navigation', { name: 'Rooms' });
  await rooms.waitFor(); // nothing open yet: the list is all there is
  await phone.joinRoom(LOBBY);
  await rooms.waitFor({ state: 'hidden' });
  const panel = await phone.panel(LOBBY).boundingBox();
  expect(panel?.width).toBeGreaterThanOrEqual(PHONE.width - 24);
  await screenshot(page, 'first-run-phone-room');

  const toggle = page.getByRole('button', { name: 'Rooms', exact: true });
  await toggle.click();
  expect(await toggle.getAttribute('aria-expanded')).toBe('true');
  await rooms.waitFor();
  await screenshot(page, 'first-run-phone-room-list');
  await phone.openRoom(STAFF_ROOM);
  await rooms.waitFor({ state: 'hidden' });
  expect(await toggle.getAttribute('aria-expanded')).toBe('false');

  // A refusal that asking again would not change offers no "Try again".
  const refusal = phone.panel(STAFF_ROOM).getByTestId('join-error');
  await refusal.waitFor();
  expect(await refusal.textContent()).toContain('You do not have access to this room.');
  expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
  await phone.close();
});

test('on a phone the admin page scrolls as one and is filled to its end', async () => {
  const phone = await signIn(ADMIN, { viewport: PHONE });
  const page = phone.page;
  await phone.openAdmin();
  await page.getByTestId('admin-user').filter({ hasText: CAROL.username }).waitFor();
  expect(await verticalScrollers(page)).toEqual(['admin-page']);

  // Scrolled to the end by the wheel, as a thumb would: the page stays put, the admin page shows its last row.
  await page.mouse.move(PHONE.width / 2, PHONE.height / 2);
  for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 600);
  await expect
    .poll(() => page.locator('admin-page').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight))
    .toBeLessThanOrEqual(1);
  expect(await page.evaluate(() => document.scrollingElement?.scrollTop)).toBe(0);
  const adminPage = await page.locator('admin-page').boundingBox();
  expect(adminPage && adminPage.y + adminPage.height).toBeCloseTo(PHONE.height, 0);
  const lastRow = await page.getByTestId('admin-user').last().boundingBox();
  const lastRowBottom = lastRow ? lastRow.y + lastRow.height : 0;
  expect(lastRowBottom).toBeLessThanOrEqual(PHONE.height);
  expect(lastRowBottom).toBeGreaterThan(PHONE.height - 60); // no blank screen below the content
  await screenshot(page, 'first-run-phone-admin-end');
  await phone.close();
});
