import type { CreateRoomBody, Room, UpdateRoomBody } from '@chat/protocol';
import { request } from './http';

/** The room directory; staff-only rooms are flagged, and joining one may be refused. */
export const listRooms = () => request<Room[]>('GET', '/api/rooms');

export const createRoom = (body: CreateRoomBody) => request<Room>('POST', '/api/rooms', body);

export const updateRoom = (id: string, body: UpdateRoomBody) =>
  request<Room>('PATCH', `/api/rooms/${encodeURIComponent(id)}`, body);

export const deleteRoom = (id: string) => request<void>('DELETE', `/api/rooms/${encodeURIComponent(id)}`);
