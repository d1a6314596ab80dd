import type { LoginBody, LoginResponse, PublicUser } from '@chat/protocol';
import { RequestError } from '../lib/errors';
import { request } from './http';

export async function login(body: LoginBody): Promise<PublicUser> {
  // The token in the body is for non-browser clients; the browser keeps to the httpOnly cookie set alongside.
  const { user } = await request<LoginResponse>('POST', '/api/auth/login', body);
  return user;
}

export const logout = () => request<void>('POST', '/api/auth/logout');

export const me = () => request<PublicUser>('GET', '/api/auth/me');

/** False only when the gateway says the session is gone; a network failure proves nothing. */
export async function sessionValid(): Promise<boolean> {
  try {
    await me();
    return true;
  } catch (error) {
    return !(error instanceof RequestError && (error.code === 'UNAUTHORIZED' || error.code === 'USER_DISABLED'));
  }
}
