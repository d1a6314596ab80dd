/**
 * Headless Chromium (Debian's package) driven by playwright-core, and a Person: one signed-in browser context
 * with the steps a user takes in the chat and admin pages, written with the locators web/README.md lists.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { artifactsDir } from './paths';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}; install it (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    timeout: 60_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-quic',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Saves a screenshot as web/test-artifacts/<name>.png, or at `path` when given. */
export async function screenshot(
  page: Page,
  name: string,
  { path, fullPage = false }: { path?: string; fullPage?: boolean } = {},
): Promise<void> {
  mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path ?? join(artifactsDir, `${name}.png`), fullPage });
}

export const DESKTOP = { width: 1280, height: 800 };
/** An everyday phone held upright (iPhone 12 to 15 in CSS pixels). */
export const PHONE = { width: 390, height: 844 };

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (text: string) => new RegExp(`^${escapeRegExp(text)}$`);

export class Person {
  /** Every alert/confirm/prompt the page opened (each is dismissed). */
  readonly dialogs: string[] = [];
  /** Uncaught exceptions in the page. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly username: string,
    readonly page: Page,
  ) {
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  /** A fresh browser context (its own cookies) that opens the app and signs in, on a desktop screen by default. */
  static async signIn(
    browser: Browser,
    baseUrl: string,
    username: string,
    password: string,
    { viewport = DESKTOP }: { viewport?: { width: number; height: number } } = {},
  ): Promise<Person> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const person = new Person(username, page);
    await page.goto(baseUrl);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await person.connection('connected');
    return person;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }

  /** Waits until the connection indicator shows this state. */
  async connection(state: 'connected' | 'reconnecting', timeout = 20_000): Promise<void> {
    await this.page.locator(`[data-testid="connection-status"][data-state="${state}"]`).waitFor({ timeout });
  }

  // --- chat ---

  roomInList(title: string): Locator {
    return this.page
      .getByRole('navigation', { name: 'Rooms' })
      .getByTestId('room-list-item')
      .filter({ has: this.page.getByText(exactly(title)) });
  }

  tab(title: string): Locator {
    // Its name goes on with the unread count ("Lobby 2 unread").
    return this.page.getByRole('tab', { name: new RegExp(`^${escapeRegExp(title)}\\b`) });
  }

  /** The room's panel, also while another room is in view (then it is hidden). */
  panel(title: string): Locator {
    return this.page.getByRole('tabpanel', { name: title, exact: true, includeHidden: true });
  }

  async openRoom(title: string): Promise<void> {
    await this.roomInList(title).getByRole('button').click();
    await this.tab(title).waitFor();
  }

  /** Opens the room and waits until it is joined. */
  async joinRoom(title: string): Promise<void> {
    await this.openRoom(title);
    await this.canSend(title);
  }

  /** Waits until the room's composer sends (joined and connected): its hint says how, not why it cannot. */
  async canSend(title: string, timeout?: number): Promise<void> {
    await this.panel(title).getByText('Enter to send, Shift+Enter for a new line.').waitFor({ timeout });
  }

  async select(title: string): Promise<void> {
    await this.tab(title).click();
    await this.panel(title).waitFor({ state: 'visible' });
  }

  composer(title: string): Locator {
    return this.panel(title).getByRole('textbox', { name: 'Message' });
  }

  /** Types a message into a room's composer and presses Enter, without waiting for the server. */
  async type(title: string, text: string): Promise<void> {
    await this.select(title);
    await this.composer(title).fill(text);
    await this.composer(title).press('Enter');
  }

  /** Types, sends and waits until the server stored it (the composer empties, the message is listed). */
  async send(title: string, text: string): Promise<void> {
    await this.type(title, text);
    await this.message(title, text).waitFor({ state: 'attached' });
    await expect.poll(() => this.composer(title).inputValue()).toBe('');
  }

  /** A message in the room with exactly this text. */
  message(title: string, text: string): Locator {
    const textMatches = this.page.getByTestId('message-text').filter({ hasText: exactly(text) });
    return this.panel(title).getByTestId('message').filter({ has: textMatches });
  }

  /** Edits one of this person's messages in place (its Edit button, the new text, Enter) and waits for it. */
  async edit(title: string, text: string, newText: string): Promise<void> {
    await this.message(title, text)
      .getByRole('button', { name: /^Edit your message from / })
      .click();
    const box = this.panel(title).getByRole('textbox', { name: 'Edit message' });
    await box.fill(newText);
    await box.press('Enter');
    await this.message(title, newText).waitFor();
    await box.waitFor({ state: 'detached' });
  }

  /** Deletes a message (one's own, or anyone's as an admin): Delete, then the inline Confirm delete. */
  async deleteMessage(title: string, text: string): Promise<void> {
    const item = this.message(title, text);
    await item.getByRole('button', { name: /^Delete / }).click();
    await item.getByRole('button', { name: /^Confirm delete / }).click();
  }

  /** The placeholder a deleted message leaves, by the seq it had. */
  deletedMessage(title: string, seq: number | string): Locator {
    return this.panel(title).locator(`[data-testid="deleted-message"][data-seq="${seq}"]`);
  }

  /** The room's messages as the list shows them, top to bottom. */
  async messages(title: string): Promise<{ seq: number; author: string; text: string }[]> {
    return this.panel(title)
      .getByTestId('message')
      .evaluateAll((items) =>
        items.map((item) => {
          const root = item as HTMLElement;
          return {
            seq: Number(root.dataset.seq),
            author: root.querySelector('[data-testid="message-author"]')?.textContent ?? '',
            text: root.querySelector('[data-testid="message-text"]')?.textContent ?? '',
          };
        }),
      );
  }

  async systemLines(title: string): Promise<string[]> {
    const lines = await this.panel(title).getByTestId('system-message').allTextContents();
    return lines.map((line) => line.replace(/\s+/g, ' ').trim());
  }

  /** The unread count shown on the room in the room list; 0 when there is no badge. */
  async unreadInList(title: string): Promise<number> {
    const badge = this.roomInList(title).getByTestId('unread-count');
    return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
  }

  // --- administration ---

  async openAdmin(): Promise<void> {
    await this.page.getByRole('link', { name: 'Admin' }).click();
    await this.page.getByRole('heading', { name: 'Administration' }).waitFor();
  }

  async openChat(): Promise<void> {
    await this.page.getByRole('link', { name: 'Chat' }).click();
    await this.page.getByRole('navigation', { name: 'Rooms' }).waitFor();
  }

  async createRoom(title: string, { staffOnly = false } = {}): Promise<void> {
    const page = this.page;
    await page.getByLabel('Room title').fill(title);
    await page.getByLabel('Staff only', { exact: true }).setChecked(staffOnly);
    await page.getByRole('button', { name: 'Create room' }).click();
    await page.getByText(`Room ${title} created.`).waitFor();
  }

  async renameRoom(title: string, newTitle: string): Promise<void> {
    const page = this.page;
    await page.getByLabel(`Title of ${title}`, { exact: true }).fill(newTitle);
    await page.getByRole('button', { name: `Rename ${title}`, exact: true }).click();
    await page.getByText(`Room ${title} renamed to ${newTitle}.`).waitFor();
  }

  /** Ticks or clears a room's Staff only box on the admin page and waits until the server took it. */
  async setStaffOnly(title: string, staffOnly: boolean): Promise<void> {
    const page = this.page;
    await page.getByLabel(`Staff only: ${title}`, { exact: true }).setChecked(staffOnly);
    await page.getByText(`${title} is now ${staffOnly ? 'staff only' : 'open to everyone'}.`).waitFor();
  }

  async deleteRoom(title: string): Promise<void> {
    const page = this.page;
    await page.getByRole('button', { name: `Delete ${title}`, exact: true }).click();
    await page.getByRole('button', { name: `Confirm delete ${title}`, exact: true }).click();
    await page.getByText(`Room ${title} deleted.`).waitFor();
  }

  async createUser(username: string, password: string, { staff = false } = {}): Promise<void> {
    const page = this.page;
    const form = page.locator('admin-users form.create');
    await form.getByLabel('Username').fill(username);
    await form.getByLabel('Password').fill(password);
    await form.getByLabel('Staff', { exact: true }).setChecked(staff);
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText(`User ${username} created.`).waitFor();
  }
}
