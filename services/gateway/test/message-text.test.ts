/**
 * A message's text is normalized once, before it is acknowledged: the sender's reply, the live event the room
 * gets and history (over the socket and REST) carry the same text, also for text Postgres cannot store as sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from './replies.js';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

/** The author's socket and a reader's, both in a new room. */
async function roomWithTwo(title: string) {
  const room = await stack.room(title);
  const author = await stack.socket((await stack.user()).token);
  const reader = await stack.socket((await stack.user()).token);
  ok(await author.request({ type: 'join', room }));
  ok(await reader.request({ type: 'join', room }));
  return { room, author, reader };
}

/** The stored text of message `id`, as history over the socket and over REST tell it. */
async function historyTexts(room: string, id: string, socket: Awaited<ReturnType<Stack['socket']>>) {
  const overSocket = ok(await socket.request({ type: 'history', room })).messages;
  const overRest = await stack.call('GET', `/api/rooms/${room}/messages`, { token: stack.adminToken });
  expect(overRest.status).toBe(200);
  const textOf = (messages: { id: string; text: string }[]) => messages.find((m) => m.id === id)?.text;
  return [textOf(overSocket), textOf(overRest.body.messages)];
}

// Lone surrogates: the JSON of a frame can carry them (as \ud800), UTF-8 and so Postgres cannot.
const texts: [string, string, string][] = [
  ['a lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
  ['a lone low surrogate at the end', 'end \uDC00', 'end \uFFFD'],
  ['a pair in the wrong order', '\uDE00\uD83D!', '\uFFFD\uFFFD!'],
  ['a well-formed pair beside a lone half', '😀\uD83D', '😀\uFFFD'],
];

describe('the text of a message', () => {
  it.each(texts)('with %s is the same in the reply, the live event and history', async (_name, sent, stored) => {
    const { room, author, reader } = await roomWithTwo(`Text ${_name}`);
    const reply = ok(await author.request({ type: 'send', room, text: sent }));
    const live = await reader.waitFor((f) => f.type === 'message' && f.message.id === reply.id);
    if (live.type !== 'message') throw new Error('not a message event');
    const [socketHistory, restHistory] = await historyTexts(room, reply.id, reader);
    expect({ reply: reply.text, live: live.message.text, socketHistory, restHistory }).toEqual({
      reply: stored,
      live: stored,
      socketHistory: stored,
      restHistory: stored,
    });
  });

  it('edited to one with a lone surrogate is the same in the reply, the edited event and history', async () => {
    const { room, author, reader } = await roomWithTwo('Text edited');
    const sent = ok(await author.request({ type: 'send', room, text: 'fine' }));
    const edited = ok(await author.request({ type: 'edit', room, id: sent.id, text: 'x\uDBFFy' }));
    const live = await reader.waitFor((f) => f.type === 'edited' && f.message.id === sent.id);
    if (live.type !== 'edited') throw new Error('not an edited event');
    const [socketHistory, restHistory] = await historyTexts(room, sent.id, reader);
    expect({ reply: edited.text, live: live.message.text, socketHistory, restHistory }).toEqual({
      reply: 'x\uFFFDy',
      live: 'x\uFFFDy',
      socketHistory: 'x\uFFFDy',
      restHistory: 'x\uFFFDy',
    });
  });
});
