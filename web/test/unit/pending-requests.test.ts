import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RequestError } from '../../src/lib/errors';
import { PendingRequests } from '../../src/lib/pending-requests';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('PendingRequests', () => {
  it('resolves the request whose ref the reply carries', async () => {
    const pending = new PendingRequests();
    const a = pending.nextRef();
    const b = pending.nextRef();
    expect(a).not.toBe(b);
    const first = pending.wait(a);
    const second = pending.wait(b);
    expect(pending.settle({ type: 'reply', ref: b, ok: true, data: 'two' })).toBe(true);
    expect(pending.settle({ type: 'reply', ref: a, ok: true, data: 'one' })).toBe(true);
    await expect(first).resolves.toBe('one');
    await expect(second).resolves.toBe('two');
    expect(pending.size).toBe(0);
  });

  it('rejects with the server error code', async () => {
    const pending = new PendingRequests();
    const ref = pending.nextRef();
    const reply = pending.wait(ref);
    pending.settle({ type: 'reply', ref, ok: false, error: { code: 'ROOM_ACCESS_DENIED', message: 'staff only' } });
    await expect(reply).rejects.toMatchObject({ code: 'ROOM_ACCESS_DENIED', message: 'staff only' });
  });

  it('ignores replies nobody waits for', () => {
    const pending = new PendingRequests();
    expect(pending.settle({ type: 'reply', ref: 'r99', ok: true, data: null })).toBe(false);
    expect(pending.settle({ type: 'reply', ref: null, ok: false, error: { code: 'BAD_REQUEST', message: 'x' } })).toBe(
      false,
    );
  });

  it('times out a request that gets no reply', async () => {
    const pending = new PendingRequests(1_000);
    const reply = pending.wait(pending.nextRef());
    const assertion = expect(reply).rejects.toMatchObject({ code: 'TIMEOUT' });
    vi.advanceTimersByTime(1_000);
    await assertion;
    expect(pending.size).toBe(0);
  });

  it('fails everything in flight at once when the socket closes', async () => {
    const pending = new PendingRequests();
    const replies = [pending.wait(pending.nextRef()), pending.wait(pending.nextRef())];
    pending.failAll(new RequestError('DISCONNECTED', 'gone'));
    for (const reply of replies) await expect(reply).rejects.toMatchObject({ code: 'DISCONNECTED' });
    expect(pending.size).toBe(0);
  });
});
