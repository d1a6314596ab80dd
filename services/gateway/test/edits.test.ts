import { randomUUID } from 'node:crypto';
import type { ChatMessage, ReplyFrame } from '@chat/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, ok } from './replies.js';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const data = (reply: ReplyFrame) => ok<ChatMessage>(reply);
const code = errorCode;

describe('editing and deleting messages', () => {
  it('lets authors edit their own messages, everyone in the room sees the change, history keeps it', async () => {
    const room = await stack.room('Drafts');
    const author = await stack.socket((await stack.user()).token);
    const reader = await stack.socket((await stack.user()).token);
    for (const s of [author, reader]) await s.request({ type: 'join', room });
    const sent = data(await author.request({ type: 'send', room, text: 'teh typo' }));

    const edited = data(await author.request({ type: 'edit', room, id: sent.id, text: 'the typo' }));
    expect(edited).toMatchObject({ id: sent.id, seq: sent.seq, text: 'the typo', editedAt: expect.any(String) });
    const event = await reader.waitFor((f) => f.type === 'edited' && f.message.id === sent.id);
    expect(event).toMatchObject({ room, message: { text: 'the typo', seq: sent.seq } });

    const page = (await reader.request({ type: 'history', room })) as ReplyFrame;
    expect(page.ok && (page.data as { messages: ChatMessage[] }).messages.at(-1)?.text).toBe('the typo');
  });

  it("refuses to edit or delete someone else's message with FORBIDDEN", async () => {
    const room = await stack.room('Not yours');
    const owner = await stack.socket((await stack.user()).token);
    const other = await stack.socket((await stack.user()).token);
    for (const s of [owner, other]) await s.request({ type: 'join', room });
    const sent = data(await owner.request({ type: 'send', room, text: 'mine' }));
    expect(code(await other.request({ type: 'edit', room, id: sent.id, text: 'now mine' }))).toBe('FORBIDDEN');
    expect(code(await other.request({ type: 'delete', room, id: sent.id }))).toBe('FORBIDDEN');
    const page = (await other.request({ type: 'history', room })) as ReplyFrame;
    expect(page.ok && (page.data as { messages: ChatMessage[] }).messages.at(-1)?.text).toBe('mine');
  });

  it('lets authors and administrators delete; the seq stays, the text goes, nobody can edit it again', async () => {
    const room = await stack.room('Regrets');
    const author = await stack.socket((await stack.user()).token);
    const admin = await stack.socket(stack.adminToken);
    for (const s of [author, admin]) await s.request({ type: 'join', room });
    const first = data(await author.request({ type: 'send', room, text: 'oops' }));
    const second = data(await author.request({ type: 'send', room, text: 'rude' }));

    const deleted = data(await author.request({ type: 'delete', room, id: first.id }));
    expect(deleted).toMatchObject({ id: first.id, seq: first.seq, text: '', deletedAt: expect.any(String) });
    await admin.waitFor((f) => f.type === 'deleted' && f.message.id === first.id);
    expect(data(await admin.request({ type: 'delete', room, id: second.id })).text).toBe('');
    await author.waitFor((f) => f.type === 'deleted' && f.message.id === second.id);

    expect(code(await author.request({ type: 'edit', room, id: first.id, text: 'back' }))).toBe('NOT_FOUND');
    const page = (await author.request({ type: 'history', room })) as ReplyFrame;
    const messages = page.ok ? (page.data as { messages: ChatMessage[] }).messages : [];
    expect(messages.map((m) => [m.seq, m.text])).toEqual([
      [first.seq, ''],
      [second.seq, ''],
    ]);
  });

  it("lets staff delete anyone's message, but not edit it, and only while they are staff", async () => {
    const room = await stack.room('Moderated');
    const author = await stack.socket((await stack.user()).token);
    const moderator = await stack.user({ isStaff: true });
    const staff = await stack.socket(moderator.token);
    for (const s of [author, staff]) await s.request({ type: 'join', room });
    const spam = data(await author.request({ type: 'send', room, text: 'buy now' }));
    const later = data(await author.request({ type: 'send', room, text: 'and again' }));

    expect(code(await staff.request({ type: 'edit', room, id: spam.id, text: 'tidied' }))).toBe('FORBIDDEN');
    expect(data(await staff.request({ type: 'delete', room, id: spam.id })).text).toBe('');
    await author.waitFor((f) => f.type === 'deleted' && f.message.id === spam.id);

    const demoted = await stack.call('PATCH', `/api/auth/users/${moderator.id}`, {
      token: stack.adminToken,
      body: { isStaff: false },
    });
    expect(demoted.status).toBe(200);
    expect(code(await staff.request({ type: 'delete', room, id: later.id }))).toBe('FORBIDDEN');
    const page = (await author.request({ type: 'history', room })) as ReplyFrame;
    expect(page.ok && (page.data as { messages: ChatMessage[] }).messages.map((m) => m.text)).toEqual([
      '',
      'and again',
    ]);
  });

  it('answers NOT_FOUND for an unknown message, NOT_IN_ROOM outside the room, MESSAGE_TOO_LONG for long edits', async () => {
    const room = await stack.room('Edge cases');
    const s = await stack.socket((await stack.user()).token);
    expect(code(await s.request({ type: 'edit', room, id: randomUUID(), text: 'x' }))).toBe('NOT_IN_ROOM');
    await s.request({ type: 'join', room });
    expect(code(await s.request({ type: 'edit', room, id: randomUUID(), text: 'x' }))).toBe('NOT_FOUND');
    const sent = data(await s.request({ type: 'send', room, text: 'short' }));
    expect(code(await s.request({ type: 'edit', room, id: sent.id, text: 'y'.repeat(4001) }))).toBe('MESSAGE_TOO_LONG');
    expect(code(await s.request({ type: 'edit', room, id: 'not-a-uuid', text: 'x' }))).toBe('BAD_REQUEST');
  });
});
