import { ChatError } from '@chat/protocol';
import { expect } from 'vitest';

/** The error code a NATS request was refused with; fails the test when it was answered instead. */
export async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChatError);
  return (err as ChatError).code;
}
