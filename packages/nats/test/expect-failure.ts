/** The ChatError a promise rejects with; fails the test if it resolves or rejects with anything else. */
import { ChatError } from '@chat/protocol';
import { expect } from 'vitest';

export async function failure(promise: Promise<unknown>): Promise<ChatError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChatError);
  return err as ChatError;
}
