/**
 * Hooks for fault tests. They are read only when NODE_ENV is `test`, so a production process ignores them
 * whatever its environment holds; they are not configuration and docs/operations.md does not list them.
 */
import type { ChatMessage } from '@chat/protocol';

/**
 * ROOMS_TEST_DIE_AFTER_COMMITTING=<text>: the process kills itself (SIGKILL) right after committing a message
 * with that text, before anyone is answered or any event published: the gap the outbox closes.
 */
export function dieAfterCommitting(nodeEnv: string): ((stored: ChatMessage[]) => void) | undefined {
  const text = nodeEnv === 'test' ? process.env.ROOMS_TEST_DIE_AFTER_COMMITTING : undefined;
  if (!text) return undefined;
  return (stored) => {
    if (stored.some((message) => message.text === text)) process.kill(process.pid, 'SIGKILL');
  };
}
