/** What the admin pages show of their actions: busy while one runs, then its success line or its error. */
import { describe, expect, it } from 'vitest';
import { AdminActionController } from '../../src/controllers/admin-action';
import { RequestError } from '../../src/lib/errors';
import { fakeHost } from './fake-server';

/** An action's outcome that the test gives when it likes. */
function later() {
  let settle: { resolve(line: string | null): void; reject(error: unknown): void } | undefined;
  const outcome = new Promise<string | null>((resolve, reject) => (settle = { resolve, reject }));
  return { action: () => outcome, ...(settle as NonNullable<typeof settle>) };
}

describe('AdminActionController', () => {
  it('is busy while an action runs, then shows its success line, and an error in place of the line', async () => {
    const host = fakeHost();
    const action = new AdminActionController(host);
    const created = later();
    const running = action.run(created.action);
    expect(action).toMatchObject({ busy: true, status: null, error: null });
    created.resolve('Room Lobby created.');
    await running;
    expect(action).toMatchObject({ busy: false, status: 'Room Lobby created.', error: null });

    await action.run(() => Promise.reject(new RequestError('RATE_LIMITED', 'slow down')));
    expect(action).toMatchObject({
      busy: false,
      status: null,
      error: 'You are sending too fast; wait a moment and try again.',
    });
    expect(host.updates).toBeGreaterThan(0);
  });

  it('shows the outcome of the latest action when an earlier one ends after it', async () => {
    const action = new AdminActionController(fakeHost());
    const earlier = later();
    const first = action.run(earlier.action);
    const second = action.run(async () => 'Room Help renamed to Support.');
    await second;
    earlier.reject(new RequestError('UNAVAILABLE', 'down'));
    await first;
    expect(action).toMatchObject({ busy: false, status: 'Room Help renamed to Support.', error: null });
  });
});
