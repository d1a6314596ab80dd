/** User administration (admins only). */
import type { AdminUserView, CreateUserBody, UpdateUserBody } from '@chat/protocol';
import { request } from './http';

export const listUsers = () => request<AdminUserView[]>('GET', '/api/auth/users');

export const createUser = (body: CreateUserBody) => request<AdminUserView>('POST', '/api/auth/users', body);

export const updateUser = (id: string, body: UpdateUserBody) =>
  request<AdminUserView>('PATCH', `/api/auth/users/${encodeURIComponent(id)}`, body);

export const deleteUser = (id: string) => request<void>('DELETE', `/api/auth/users/${encodeURIComponent(id)}`);
