/** The words a user sees for a failure, and the request id they can quote when the server is at fault. */
import { describe, expect, it } from 'vitest';
import { describeError, RequestError } from '../../src/lib/errors';

describe('describeError', () => {
  it("names the request of a server fault, so a user can report it, as the server's error said it", () => {
    const fault = RequestError.from({ code: 'INTERNAL', message: 'internal error', requestId: '1kt5klk9e1-4f' });
    expect(describeError(fault)).toBe('Something went wrong on the server. (Request 1kt5klk9e1-4f.)');
  });

  it('leaves it out of a refusal, which the code explains, and of failures the server never answered', () => {
    const refusal = RequestError.from({ code: 'NOT_IN_ROOM', message: 'join lobby first', requestId: 'ab-1' });
    expect(describeError(refusal)).toBe('You are not in this room any more.');
    expect(describeError(new RequestError('TIMEOUT', 'no reply in time'))).toBe('The server did not answer in time.');
  });
});
