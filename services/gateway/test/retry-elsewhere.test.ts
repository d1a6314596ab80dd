import { describe, expect, it } from 'vitest';
import { instanceUrls, retryElsewhere } from '../src/service-instances.js';

const failed = (code: string, method = 'POST', attempt = 0) => ({ err: { code }, method, attempt });

describe('retryElsewhere', () => {
  it('tries another instance after one that could not be reached, whatever the method', () => {
    expect(retryElsewhere(failed('ECONNREFUSED'), 2)).toBe(1);
    expect(retryElsewhere(failed('UND_ERR_CONNECT_TIMEOUT', 'DELETE'), 3)).toBe(1);
  });

  it('retries a cut-off connection only for a method that changes nothing: a POST may have been carried out', () => {
    expect(retryElsewhere(failed('UND_ERR_SOCKET', 'GET'), 2)).toBe(1);
    expect(retryElsewhere(failed('UND_ERR_SOCKET', 'POST'), 2)).toBeNull();
    expect(retryElsewhere(failed('ECONNRESET', 'PATCH'), 2)).toBeNull();
  });

  it('stops after about one try per instance, and never retries with a single instance or after an answer', () => {
    expect(retryElsewhere(failed('ECONNREFUSED', 'GET', 1), 2)).toBe(1);
    expect(retryElsewhere(failed('ECONNREFUSED', 'GET', 2), 2)).toBeNull();
    expect(retryElsewhere(failed('ECONNREFUSED'), 1)).toBeNull();
    expect(retryElsewhere({ err: null, method: 'GET', attempt: 0 }, 2)).toBeNull();
    expect(retryElsewhere(failed('UND_ERR_HEADERS_TIMEOUT', 'GET'), 2)).toBeNull();
  });
});

describe('instanceUrls', () => {
  it('reads a comma-separated list, blanks and all', () => {
    expect(instanceUrls('http://a:1')).toEqual(['http://a:1']);
    expect(instanceUrls(' http://a:1 , http://b:2,')).toEqual(['http://a:1', 'http://b:2']);
  });
});
