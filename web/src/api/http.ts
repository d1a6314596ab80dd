/**
 * REST calls to the gateway. The session lives in an httpOnly cookie, so requests carry no token: the browser
 * sends the cookie because everything is same-origin.
 */
import type { ErrorBody } from '@chat/protocol';
import { RequestError } from '../lib/errors';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new RequestError('NETWORK', 'network error');
  }
  // 204 (logout, delete) has no body.
  const text = await response.text();
  const data: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) throw errorFrom(response.status, data);
  return data as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorFrom(status: number, data: unknown): RequestError {
  const body = data as Partial<ErrorBody> | undefined;
  if (body && typeof body.code === 'string' && typeof body.message === 'string') {
    return RequestError.from(body as ErrorBody, status);
  }
  // A proxy error page or an empty body: pick the code the status means.
  const code =
    status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'FORBIDDEN' : status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST';
  return new RequestError(code, `HTTP ${status}`, status);
}
