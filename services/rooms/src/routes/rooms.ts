/**
 * The room directory for everyone signed in; creating, changing and deleting rooms for administrators.
 * Staff-only rooms are listed and shown to every user, flagged, as `rooms-changed` announces them to every
 * socket: what is for staff only is entering them (join, history), which answers 403 ROOM_ACCESS_DENIED.
 */
import { CreateRoomBody, Room, RoomParams, type RoomsChangedEvent, Subjects, UpdateRoomBody } from '@chat/protocol';
import { encodeJson, type NatsConnection } from '@chat/nats';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RoomStore } from '../rooms/store.js';

export async function roomRoutes(app: FastifyInstance, opts: { rooms: RoomStore; nc: NatsConnection }) {
  const { rooms, nc } = opts;
  const announce = (event: RoomsChangedEvent) => nc.publish(Subjects.roomsChanged, encodeJson(event));

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
      const room = await rooms.create(title, staffOnly);
      announce({ kind: 'created', room });
      return reply.code(201).send(room);
    },
  );

  app.patch(
    '/api/rooms/:id',
    { preHandler: app.requireAdmin, schema: { params: RoomParams, body: UpdateRoomBody, response: { 200: Room } } },
    async (request) => {
      const { id } = request.params as RoomParams;
      const room = await rooms.update(id, request.body as UpdateRoomBody);
      announce({ kind: 'updated', room });
      return room;
    },
  );

  app.delete(
    '/api/rooms/:id',
    { preHandler: app.requireAdmin, schema: { params: RoomParams } },
    async (request, reply) => {
      const { id } = request.params as RoomParams;
      await rooms.delete(id);
      announce({ kind: 'deleted', room: { id } });
      return reply.code(204).send();
    },
  );
}
