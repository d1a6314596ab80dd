/**
 * The room directory for everyone signed in; creating, changing and deleting rooms for administrators.
 * Staff-only rooms are listed and shown to every user, flagged, as `rooms-changed` announces them to every
 * socket: what is for staff only is entering them (join, history), which answers 403 ROOM_ACCESS_DENIED.
 */
import { CreateRoomBody, Room, RoomParams, type RoomsChangedEvent, Subjects, UpdateRoomBody } from '@chat/protocol';
import { announce, type NatsConnection } from '@chat/nats';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RecentHistory } from '../messages/recent-history.js';
import type { RoomAccessCheck } from '../rooms/access.js';
import type { RoomStore } from '../rooms/store.js';

export interface RoomRoutesOptions {
  rooms: RoomStore;
  access: RoomAccessCheck;
  recent: RecentHistory;
  nc: NatsConnection;
}

export async function roomRoutes(app: FastifyInstance, { rooms, access, recent, nc }: RoomRoutesOptions) {
  // This instance forgets what it kept of the room at once; the others (and this one again) on the event,
  // which the NATS server has before the administrator gets the answer (see `announce`).
  const announceChange = (event: RoomsChangedEvent) => {
    access.forget(event.room.id);
    recent.forget(event.room.id);
    return announce(nc, Subjects.roomsChanged, event);
  };

  app.get('/api/rooms', { preHandler: app.authenticate, schema: { response: { 200: Type.Array(Room) } } }, () =>
    rooms.list(),
  );

  app.get(
    '/api/rooms/:id',
    { preHandler: app.authenticate, schema: { params: RoomParams, response: { 200: Room } } },
    (request) => rooms.get((request.params as RoomParams).id),
  );

  app.post(
    '/api/rooms',
    { preHandler: app.requireAdmin, schema: { body: CreateRoomBody, response: { 201: Room } } },
    async (request, reply) => {
      const { title, staffOnly } = request.body as CreateRoomBody;
      const { room, epoch } = await rooms.create(title, staffOnly);
      await announceChange({ kind: 'created', room: { ...room, epoch } });
      return reply.code(201).send(room);
    },
  );

  app.patch(
    '/api/rooms/:id',
    { preHandler: app.requireAdmin, schema: { params: RoomParams, body: UpdateRoomBody, response: { 200: Room } } },
    async (request) => {
      const { id } = request.params as RoomParams;
      const { room, epoch } = await rooms.update(id, request.body as UpdateRoomBody);
      await announceChange({ kind: 'updated', room: { ...room, epoch } });
      return room;
    },
  );

  app.delete(
    '/api/rooms/:id',
    { preHandler: app.requireAdmin, schema: { params: RoomParams } },
    async (request, reply) => {
      const { id } = request.params as RoomParams;
      const epoch = await rooms.delete(id);
      await announceChange({ kind: 'deleted', room: { id, epoch } });
      return reply.code(204).send();
    },
  );
}
