import type { TestSocket } from '@chat/test-kit';
import { expect } from 'vitest';

/**
 * `sender` (a member of `room`) sends `text`, and none of `others` gets it live. The gateway writes a room's
 * event to all its local members in one go, so once the sender has its own copy and each other socket has
 * answered a ping sent after that, anything they were going to get from that event is already in.
 */
export async function neverDelivered(sender: TestSocket, others: TestSocket[], room: string, text: string) {
  const sent = await sender.request({ type: 'send', room, text });
  expect(sent.ok).toBe(true);
  await sender.waitFor((f) => f.type === 'message' && f.room === room && f.message.text === text);
  await Promise.all(others.map((s) => s.request({ type: 'ping' }).catch(() => undefined)));
  const leaked = others.filter((s) => s.frames.some((f) => f.type === 'message' && f.message.text === text));
  expect(leaked.length).toBe(0);
}
