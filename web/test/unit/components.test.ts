/** Components rendered in happy-dom: what the user sees and what their keys do. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '@chat/protocol';
import type { DeleteRequest, EditRequest, SendRequest } from '../../src/components/events';
import '../../src/components/app-header';
import '../../src/components/message-composer';
import '../../src/components/message-list';
import '../../src/components/room-list';
import '../../src/components/room-panel';
import type { OpenRoom } from '../../src/controllers/chat';
import { addNotice, emptyLog, mergeMessages } from '../../src/lib/message-log';
import { message } from './fixtures';

afterEach(() => {
  document.body.replaceChildren();
});

type Tag = 'app-header' | 'message-list' | 'message-composer' | 'room-list' | 'room-panel';

async function mount<K extends Tag>(tag: K, props: Partial<HTMLElementTagNameMap[K]>) {
  const element = Object.assign(document.createElement(tag), props);
  document.body.append(element);
  await element.updateComplete;
  return element;
}

const shadow = (element: Element) => element.shadowRoot as ShadowRoot;

describe('<message-list>', () => {
  it('renders message text as text, never as HTML', async () => {
    const evil = '<img src=x onerror="window.hacked=1"><script>window.hacked=2</script><b>bold</b>';
    const log = mergeMessages(emptyLog, [message(1, 'u-mallory', evil)]).log;
    const list = await mount('message-list', { log, roomTitle: 'Lobby', active: true });
    const item = shadow(list).querySelector('[data-testid="message"]');
    expect(item?.querySelector('img, script, b')).toBeNull();
    expect(item?.querySelector('[data-testid="message-text"]')?.textContent).toBe(evil);
    expect(item?.querySelector('[data-testid="message-author"]')?.textContent).toBe('mallory');
    expect(item?.querySelector('time')?.getAttribute('datetime')).toBe(message(1).createdAt);
  });

  it('shows join and leave notices as system lines without an author', async () => {
    let log = mergeMessages(emptyLog, [message(1), message(2)]).log;
    log = addNotice(log, { key: 'n1', text: 'carol joined the room', at: '2025-01-01T12:00:00Z' });
    log = addNotice(log, { key: 'n2', text: 'bob, dave and 5 others left the room', at: '2025-01-01T12:00:01Z' });
    const list = await mount('message-list', { log, roomTitle: 'Lobby', active: true });
    const items = [...shadow(list).querySelectorAll('li')];
    expect(items.map((li) => li.dataset.testid)).toEqual(['message', 'message', 'system-message', 'system-message']);
    const notice = items[2] as HTMLLIElement;
    expect(notice.className).toBe('notice');
    expect(notice.querySelector('[data-testid="message-author"]')).toBeNull();
    expect(notice.textContent).toContain('carol joined the room');
    expect(items[3]?.textContent).toContain('bob, dave and 5 others left the room');
  });

  it('offers older messages until seq 1 is shown, and asks for them with an event', async () => {
    const log = mergeMessages(emptyLog, [message(5)]).log;
    const list = await mount('message-list', { log, roomTitle: 'Lobby', canLoadOlder: true });
    let asked = 0;
    list.addEventListener('load-older', () => asked++);
    const button = shadow(list).querySelector('button');
    expect(button?.textContent?.trim()).toBe('Load older messages');
    button?.click();
    expect(asked).toBe(1);

    list.canLoadOlder = false;
    list.log = mergeMessages(log, [message(1), message(2), message(3), message(4)]).log;
    await list.updateComplete;
    expect(shadow(list).querySelector('button')).toBeNull();
    expect(shadow(list).textContent).toContain('This is the start of the room.');
  });

  it('says when a room has no messages yet', async () => {
    const list = await mount('message-list', { log: emptyLog, roomTitle: 'Lobby' });
    expect(shadow(list).querySelector('[data-testid="empty-room"]')?.textContent).toBe('No messages in Lobby yet.');
  });

  it('labels the list with the room for screen readers', async () => {
    const list = await mount('message-list', { log: emptyLog, roomTitle: 'Lobby' });
    expect(shadow(list).querySelector('ol')?.getAttribute('aria-label')).toBe('Conversation in Lobby');
  });
});

describe('<message-list> edits and deletions', () => {
  const own = message(1, 'u-alice', 'my message');
  const bobs = message(2, 'u-bob', 'his message');

  async function list(props: { canModerate?: boolean; actionsDisabled?: boolean; messages?: ChatMessage[] } = {}) {
    const log = mergeMessages(emptyLog, props.messages ?? [own, bobs]).log;
    const element = await mount('message-list', { log, roomTitle: 'Lobby', selfId: 'u-alice', active: true, ...props });
    const edits: EditRequest[] = [];
    const deletes: DeleteRequest[] = [];
    element.addEventListener('message-edit', (event) => edits.push((event as CustomEvent<EditRequest>).detail));
    element.addEventListener('message-delete', (event) => deletes.push((event as CustomEvent<DeleteRequest>).detail));
    const item = (seq: number) => shadow(element).querySelector(`li[data-seq="${seq}"]`) as HTMLLIElement;
    const buttons = (seq: number) =>
      [...item(seq).querySelectorAll('button')].map((button) => button.getAttribute('aria-label') ?? text(button));
    const button = (seq: number, name: RegExp) =>
      [...item(seq).querySelectorAll('button')].find((b) => name.test(b.getAttribute('aria-label') ?? text(b)))!;
    const editor = () => item(1).querySelector('message-editor');
    const textarea = () => shadow(editor()!).querySelector('textarea') as HTMLTextAreaElement;
    const update = async () => {
      await element.updateComplete;
      await editor()?.updateComplete;
    };
    return { element, edits, deletes, item, buttons, button, editor, textarea, update };
  }

  const text = (node: Node) => node.textContent?.replace(/\s+/g, ' ').trim() ?? '';
  const keydown = (target: Element, key: string) => {
    const event = new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true });
    target.dispatchEvent(event);
    return event;
  };

  it('offers Edit and Delete on your own messages only, named after the message', async () => {
    const { buttons } = await list();
    expect(buttons(1)).toEqual([
      expect.stringMatching(/^Edit your message from \S/),
      expect.stringMatching(/^Delete your message from \S/),
    ]);
    expect(buttons(2)).toEqual([]);
  });

  it("lets a moderator (staff or admin) delete anyone's message, but edit only their own", async () => {
    const { buttons } = await list({ canModerate: true });
    expect(buttons(1)).toHaveLength(2);
    expect(buttons(2)).toEqual([expect.stringMatching(/^Delete bob's message from \S/)]);
  });

  it('disables the buttons while changes cannot be sent', async () => {
    const { item } = await list({ actionsDisabled: true });
    const states = [...item(1).querySelectorAll('button')].map((button) => button.disabled);
    expect(states).toEqual([true, true]);
  });

  it('edits in place: a labelled box with the text, Enter saves, and it closes once the server confirms', async () => {
    const { element, edits, button, editor, textarea, update, item } = await list();
    button(1, /^Edit/).click();
    await update();
    const box = textarea();
    expect(shadow(editor()!).querySelector(`label[for="${box.id}"]`)?.textContent).toBe('Edit message');
    expect(box.value).toBe('my message');
    expect([...shadow(editor()!).querySelectorAll('button')].map(text)).toEqual(['Save', 'Cancel']);
    expect(item(1).querySelector('[data-testid="message-text"]')).toBeNull();

    box.value = '  my edited message ';
    box.dispatchEvent(new Event('input'));
    await update();
    expect(keydown(box, 'Enter').defaultPrevented).toBe(true);
    expect(edits.map(({ messageId, text }) => ({ messageId, text }))).toEqual([
      { messageId: own.id, text: 'my edited message' },
    ]);

    // Refused (rate limit, say): the editor stays with what was typed.
    edits[0]?.done(false);
    await update();
    expect(textarea().value).toBe('  my edited message ');

    keydown(textarea(), 'Enter');
    edits[1]?.done(true);
    await update();
    expect(editor()).toBeNull();
    expect(element.editing).toBeNull();
  });

  it('Escape cancels an edit without asking the server, and Shift+Enter is a new line', async () => {
    const { edits, button, editor, textarea, update, item } = await list();
    button(1, /^Edit/).click();
    await update();
    textarea().value = 'never mind';
    textarea().dispatchEvent(new Event('input'));
    const shifted = new KeyboardEvent('keydown', { key: 'Enter', shiftKey: true, cancelable: true });
    textarea().dispatchEvent(shifted);
    expect(shifted.defaultPrevented).toBe(false);

    keydown(textarea(), 'Escape');
    await update();
    expect(editor()).toBeNull();
    expect(edits).toEqual([]);
    expect(item(1).querySelector('[data-testid="message-text"]')?.textContent).toBe('my message');
  });

  it('saving the text unchanged just closes the editor', async () => {
    const { edits, button, editor, textarea, update } = await list();
    button(1, /^Edit/).click();
    await update();
    keydown(textarea(), 'Enter');
    await update();
    expect(editor()).toBeNull();
    expect(edits).toEqual([]);
  });

  it('asks before deleting, inline; Cancel and Escape keep the message', async () => {
    const { deletes, button, buttons, item, update } = await list({ canModerate: true });
    button(2, /^Delete/).click();
    await update();
    expect(text(item(2))).toContain('Delete for everyone?');
    expect(buttons(2)).toEqual([expect.stringMatching(/^Confirm delete bob's message from \S/), 'Cancel']);
    // Only one thing at a time: the other message's buttons wait.
    expect([...item(1).querySelectorAll('button')].every((b) => b.disabled)).toBe(true);

    button(2, /^Cancel/).click();
    await update();
    expect(buttons(2)).toEqual([expect.stringMatching(/^Delete bob's/)]);

    button(2, /^Delete/).click();
    await update();
    keydown(button(2, /^Cancel/), 'Escape');
    await update();
    expect(buttons(2)).toEqual([expect.stringMatching(/^Delete bob's/)]);
    expect(deletes).toEqual([]);

    button(2, /^Delete/).click();
    await update();
    button(2, /^Confirm delete/).click();
    button(2, /^Confirm delete/).click(); // a double click sends one request
    expect(deletes.map((request) => request.messageId)).toEqual([bobs.id]);
    deletes[0]?.done(true);
    await update();
    expect(buttons(2)).toEqual([expect.stringMatching(/^Delete bob's/)]);
  });

  it('keeps the keyboard on the message through the confirmation, and on its placeholder once deleted', async () => {
    const { element, deletes, button, item, update } = await list();
    const focused = () => shadow(element).activeElement;
    const press = async (target: HTMLButtonElement) => {
      target.focus();
      target.click();
      await update();
    };
    await press(button(1, /^Delete/));
    expect(focused()).toBe(button(1, /^Cancel/));
    keydown(button(1, /^Cancel/), 'Escape');
    await update();
    expect(focused()).toBe(button(1, /^Delete/));

    await press(button(1, /^Delete/));
    await press(button(1, /^Confirm delete/));
    // The room's event can come before the reply.
    element.log = mergeMessages(element.log, [{ ...own, text: '', deletedAt: '2025-01-01T13:00:00.000Z' }]).log;
    await update();
    deletes[0]?.done(true);
    await update();
    expect(focused()).toBe(item(1));
    expect(item(1).dataset.testid).toBe('deleted-message');
  });

  it('marks edited messages and shows deleted ones as a system line without author or text', async () => {
    const edited = { ...own, text: 'better words', editedAt: '2025-01-01T13:00:00.000Z' };
    const deleted = { ...bobs, text: '', deletedAt: '2025-01-01T13:01:00.000Z' };
    const { item } = await list({ messages: [edited, deleted], canModerate: true });
    expect(item(1).querySelector('[data-testid="message-edited"]')?.textContent).toBe('(edited)');
    expect(item(1).querySelector('[data-testid="message-text"]')?.textContent).toBe('better words');
    expect(item(2).dataset.testid).toBe('deleted-message');
    expect(item(2).className).toContain('notice');
    expect(text(item(2))).toMatch(/^Message deleted/);
    expect(item(2).querySelector('[data-testid="message-author"], [data-testid="message-text"], button')).toBeNull();
  });

  it('closes the editor when the message is deleted meanwhile', async () => {
    const { element, button, editor, update } = await list();
    button(1, /^Edit/).click();
    await update();
    element.log = mergeMessages(element.log, [{ ...own, text: '', deletedAt: '2025-01-01T13:00:00.000Z' }]).log;
    await update();
    expect(editor()).toBeNull();
    expect(element.editing).toBeNull();
  });
});

describe('<message-composer>', () => {
  async function composer() {
    const element = await mount('message-composer', { roomTitle: 'Lobby' });
    const textarea = shadow(element).querySelector('textarea') as HTMLTextAreaElement;
    const sent: SendRequest[] = [];
    element.addEventListener('message-send', (event) => sent.push((event as CustomEvent<SendRequest>).detail));
    const type = async (text: string) => {
      textarea.value = text;
      textarea.dispatchEvent(new Event('input'));
      await element.updateComplete;
    };
    const press = (key: string, init: KeyboardEventInit = {}) => {
      const event = new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init });
      textarea.dispatchEvent(event);
      return event;
    };
    return { element, textarea, sent, type, press };
  }

  it('has a labelled text box and a Send button', async () => {
    const { element, textarea } = await composer();
    const label = shadow(element).querySelector(`label[for="${textarea.id}"]`);
    expect(label?.textContent).toBe('Message');
    expect(label?.classList.contains('visually-hidden')).toBe(false); // seen, not only heard
    expect(shadow(element).querySelector('button[type="submit"]')?.textContent).toBe('Send');
  });

  it('sends on Enter and keeps the text until the server confirms', async () => {
    const { element, sent, type, press } = await composer();
    await type('  hello  ');
    const event = press('Enter');
    expect(event.defaultPrevented).toBe(true);
    expect(sent.map((request) => request.text)).toEqual(['hello']);
    await element.updateComplete;
    expect(element.draft).toBe('  hello  ');

    sent[0]?.done(false);
    await element.updateComplete;
    expect(element.draft).toBe('  hello  ');

    press('Enter');
    sent[1]?.done(true);
    await element.updateComplete;
    expect(element.draft).toBe('');
  });

  it('leaves Shift+Enter to insert a new line', async () => {
    const { sent, type, press } = await composer();
    await type('line one');
    const event = press('Enter', { shiftKey: true });
    expect(event.defaultPrevented).toBe(false);
    expect(sent).toEqual([]);
  });

  it('does not send blank text, text over the limit, or while disabled', async () => {
    const { element, sent, type, press } = await composer();
    await type('   \n ');
    press('Enter');
    await type('x'.repeat(4001));
    press('Enter');
    expect(shadow(element).textContent).toContain('1 characters over the limit');
    element.disabled = true;
    await type('hi');
    press('Enter');
    expect(sent).toEqual([]);
  });
});

describe('<room-list>', () => {
  it('marks staff-only rooms and shows unread counts in the button name', async () => {
    const list = await mount('room-list', {
      rooms: [
        { id: 'lobby', title: 'Lobby', staffOnly: false, epoch: 1 },
        { id: 'staff', title: 'Staff room', staffOnly: true, epoch: 2 },
      ],
      unread: new Map([['lobby', 3]]),
    });
    const buttons = [...shadow(list).querySelectorAll<HTMLButtonElement>('li button')];
    expect(buttons.map((button) => button.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      'Lobby 3 unread',
      'Staff room Staff only',
    ]);
    let opened: unknown = null;
    list.addEventListener('room-open', (event) => (opened = (event as CustomEvent).detail));
    buttons[1]?.click();
    expect(opened).toEqual({ id: 'staff', title: 'Staff room', staffOnly: true, epoch: 2 });
  });
});

describe('<room-panel>', () => {
  const entry = (phase: OpenRoom['phase']): OpenRoom => ({
    room: { id: 'lobby', title: 'Lobby', staffOnly: false, epoch: 1 },
    phase,
    error: null,
    canRetry: false,
    log: mergeMessages(emptyLog, [message(1), message(2, 'u-alice')]).log,
    logEpoch: 1,
    startReached: true,
    loadingOlder: false,
    joinedOnce: true,
    members: { users: [{ id: 'u-alice', username: 'alice' }], count: 1 },
    typists: [],
  });

  /** A panel the user can no longer talk in: a status note, the messages kept, nothing more to send. */
  async function expectClosedPanel(root: ShadowRoot, noteId: string, noteText: string, hint: string) {
    const note = root.querySelector(`[data-testid="${noteId}"]`);
    expect(note?.getAttribute('role')).toBe('status');
    expect(note?.textContent?.replace(/\s+/g, ' ').trim()).toBe(noteText);
    expect(root.querySelector('[role="alert"]')).toBeNull();
    const list = root.querySelector('message-list');
    expect(list?.log.messages).toHaveLength(2);
    expect(list?.actionsDisabled).toBe(true);

    const composer = root.querySelector('message-composer') as HTMLElementTagNameMap['message-composer'];
    await composer.updateComplete;
    expect(shadow(composer).querySelector('textarea')?.disabled).toBe(true);
    expect(shadow(composer).querySelector('button[type="submit"]')?.hasAttribute('disabled')).toBe(true);
    expect(shadow(composer).querySelector('#hint')?.textContent?.trim()).toBe(hint);
  }

  it('says a deleted room was deleted, keeps its messages, and takes no more', async () => {
    const panel = await mount('room-panel', { entry: entry('deleted'), connected: true, selfId: 'u-alice' });
    await expectClosedPanel(
      shadow(panel),
      'room-deleted',
      'Lobby was deleted by an administrator. Its messages stay here until you close it.',
      'Nothing more can be sent to a deleted room.',
    );
  });

  it('says the user no longer has access to a room they were taken out of, keeps its messages, and takes no more', async () => {
    const panel = await mount('room-panel', { entry: entry('removed'), connected: true, selfId: 'u-alice' });
    const root = shadow(panel);
    expect(root.querySelector('[data-testid="room-deleted"]')).toBeNull();
    await expectClosedPanel(
      root,
      'room-removed',
      'You no longer have access to Lobby. Its messages stay here until you close it.',
      'You can no longer send messages to this room.',
    );
  });

  it('says why a join was refused, and offers no "Try again" when asking again would be refused too', async () => {
    const refused = { ...entry('refused'), error: 'You do not have access to this room.' };
    const panel = await mount('room-panel', { entry: refused, connected: true });
    const root = shadow(panel);
    expect(root.querySelector('[data-testid="join-error"]')?.textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Could not join Lobby. You do not have access to this room.',
    );
    expect([...root.querySelectorAll('button')].map((button) => button.textContent?.trim())).toEqual(['Close']);
  });

  it('offers "Try again" after a join failed for a passing reason, and asks for it with an event', async () => {
    const failed = { ...entry('refused'), error: 'The server did not answer in time.', canRetry: true };
    const panel = await mount('room-panel', { entry: failed, connected: true });
    let retried: unknown = null;
    panel.addEventListener('room-retry', (event) => (retried = (event as CustomEvent).detail));
    const retry = [...shadow(panel).querySelectorAll('button')].find(
      (button) => button.textContent?.trim() === 'Try again',
    );
    retry?.click();
    expect(retried).toBe('lobby');
  });

  it('shows the room as it is now, renamed or made staff-only', async () => {
    const panel = await mount('room-panel', { entry: entry('joined'), connected: true });
    panel.entry = { ...panel.entry, room: { id: 'lobby', title: 'Atrium', staffOnly: true, epoch: 1 } };
    await panel.updateComplete;
    const root = shadow(panel);
    expect(root.querySelector('h2')?.textContent).toBe('Atrium');
    expect(root.querySelector('[data-testid="staff-only"]')).not.toBeNull();
    expect(root.querySelector('[data-testid="room-deleted"]')).toBeNull();
    expect(root.querySelector('[data-testid="room-removed"]')).toBeNull();
  });
});

describe('<app-header>', () => {
  const who = async (isStaff: boolean, isAdmin: boolean) => {
    const header = await mount('app-header', { user: { id: 'u-alice', username: 'alice', isStaff, isAdmin } });
    return shadow(header).querySelector('[data-testid="current-user"]')?.textContent?.replace(/\s+/g, ' ').trim();
  };

  it('names the app and shows an administrator as one, and staff who are not administrators as staff', async () => {
    expect(await who(true, true)).toBe('Signed in as alice (administrator)');
    expect(await who(false, true)).toBe('Signed in as alice (administrator)');
    expect(await who(true, false)).toBe('Signed in as alice (staff)');
    expect(await who(false, false)).toBe('Signed in as alice');
    expect(shadow(document.querySelector('app-header') as Element).querySelector('.brand')?.textContent).toBe(
      'MultiChat',
    );
  });
});
