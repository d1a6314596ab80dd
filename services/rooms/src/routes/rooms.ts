/** The room list for everyone signed in; creating, changing and deleting rooms for administrators. */
import { CreateRoomBody, Room, type RoomsChangedEvent, Subjects, UpdateRoomBody } from '@chat/protocol';
import { encodeJson, type NatsConnection } from '@chat/nats';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { RoomStore } from '../rooms/store.js';

// Any string: a malformed id is simply a room that does not exist (ROOM_INVALID), as over NATS.
const IdParams = Type.Object({ id: Type.String({ maxLength: 200 }) });

export async function roomRoutes(app: FastifyInstance, opts: { rooms: RoomStore; nc: NatsConnection }) {
  const { rooms, nc } = opts;
  const announce = (event: RoomsChangedEvent) => nc.publish(Subjects.roomsChanged, encodeJson(event));

  app.get('/api/rooms', { preHandler: app.authenticate, schema: { response: { 200: Type.Array(Room) } } }, () =>
    rooms.list(),
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
    { preHandler: app.requireAdmin, schema: { params: IdParams, body: UpdateRoomBody, response: { 200: Room } } },
    async (request) => {
      const { id } = request.params as { id: string };
      const room = await rooms.update(id, request.body as UpdateRoomBody);
      announce({ kind: 'updated', room });
      return room;
    },
  );

  app.delete(
    '/api/rooms/:id',
    { preHandler: app.requireAdmin, schema: { params: IdParams } },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      await rooms.delete(id);
      announce({ kind: 'deleted', room: { id } });
      return reply.code(204).send();
    },
  );
}
