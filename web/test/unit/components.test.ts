/** Components rendered in happy-dom: what the user sees and what their keys do. */
import { afterEach, describe, expect, it } from 'vitest';
import type { SendRequest } from '../../src/components/events';
import '../../src/components/message-composer';
import '../../src/components/message-list';
import '../../src/components/room-list';
import { addNotice, emptyLog, mergeMessages } from '../../src/lib/message-log';
import { message } from './fixtures';

afterEach(() => {
  document.body.replaceChildren();
});

type Tag = 'message-list' | 'message-composer' | 'room-list';

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
    const list = await mount('message-list', { log, roomTitle: 'Lobby', active: true });
    const items = [...shadow(list).querySelectorAll('li')];
    expect(items.map((li) => li.dataset.testid)).toEqual(['message', 'message', 'system-message']);
    const notice = items[2] as HTMLLIElement;
    expect(notice.className).toBe('notice');
    expect(notice.querySelector('[data-testid="message-author"]')).toBeNull();
    expect(notice.textContent).toContain('carol joined the room');
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

  it('labels the list with the room for screen readers', async () => {
    const list = await mount('message-list', { log: emptyLog, roomTitle: 'Lobby' });
    expect(shadow(list).querySelector('ol')?.getAttribute('aria-label')).toBe('Conversation in Lobby');
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
        { id: 'lobby', title: 'Lobby', staffOnly: false },
        { id: 'staff', title: 'Staff room', staffOnly: true },
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
    expect(opened).toEqual({ id: 'staff', title: 'Staff room', staffOnly: true });
  });
});
