/**
 * The room directory for everyone signed in; creating, changing and deleting rooms for administrators.
 * Staff-only rooms are listed and shown to every user, flagged, as `rooms-changed` announces them to every
 * socket: what is for staff only is entering them (join, history), which answers 403 ROOM_ACCESS_DENIED.
 */
import { CreateRoomBody, Room, RoomParams, type RoomsChangedEvent, Subjects, UpdateRoomBody } from '@chat/protocol';
import { announce, type NatsConnection } from '@chat/nats';
import { adminErrors, bodyErrors, errorResponses, paramErrors, sessionErrors, signedIn } from '@chat/service-kit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RecentHistory } from '../messages/recent-history.js';
import type { RoomStore } from '../rooms/store.js';

const noSuchRoom = { 404: 'ROOM_INVALID: no room with this id (a malformed id is one)' } as const;

export interface RoomRoutesOptions {
  rooms: RoomStore;
  recent: RecentHistory;
  nc: NatsConnection;
}

export const roomRoutes: FastifyPluginAsyncTypebox<RoomRoutesOptions> = async (app, { rooms, recent, nc }) => {
  // This instance lets go of the room's recent history at once; the others on the event. Nothing depends on the
  // event arriving: joins and requests read the room afresh (rooms/access.ts).
  const announceChange = (event: RoomsChangedEvent) => {
    recent.forget(event.room.id);
    return announce(nc, Subjects.roomsChanged, event);
  };

  app.get(
    '/api/rooms',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'Every room, staff-only ones too (flagged), ordered by title as people read it',
        operationId: 'listRooms',
        security: signedIn,
        response: { 200: Type.Array(Room, { description: 'all rooms' }), ...errorResponses(sessionErrors) },
      },
    },
    () => rooms.list(),
  );

  app.get(
    '/api/rooms/:id',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: 'One room',
        operationId: 'getRoom',
        security: signedIn,
        params: RoomParams,
        response: {
          200: { ...Room, description: 'the room' },
          ...errorResponses({ ...paramErrors, ...sessionErrors, ...noSuchRoom }),
        },
      },
    },
    (request) => rooms.get(request.params.id),
  );

  app.post(
    '/api/rooms',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['rooms'],
        summary: 'Create a room (administrators only); its id is made from the title',
        description: 'Every socket is told (`rooms-changed`). docs/protocol.md, "Room ids", says how the id is made.',
        operationId: 'createRoom',
        security: signedIn,
        body: CreateRoomBody,
        response: {
          201: { ...Room, description: 'created' },
          ...errorResponses({
            ...bodyErrors,
            ...adminErrors,
            409: 'CONFLICT: no free id found after several tries; retry',
          }),
        },
      },
    },
    async (request, reply) => {
      const { title, staffOnly } = request.body;
      const room = await rooms.create(title, staffOnly);
      await announceChange({ kind: 'created', room });
      return reply.code(201).send(room);
    },
  );

  app.patch(
    '/api/rooms/:id',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['rooms'],
        summary: 'Rename a room or change who may enter it (administrators only); the id stays',
        description: 'Members who may no longer enter are taken out of it (`removed`).',
        operationId: 'updateRoom',
        security: signedIn,
        params: RoomParams,
        body: UpdateRoomBody,
        response: {
          200: { ...Room, description: 'the room as changed' },
          ...errorResponses({ ...bodyErrors, ...paramErrors, ...adminErrors, ...noSuchRoom }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const room = await rooms.update(id, request.body);
      await announceChange({ kind: 'updated', room });
      return room;
    },
  );

  app.delete(
    '/api/rooms/:id',
    {
      preHandler: app.requireAdmin,
      schema: {
        tags: ['rooms'],
        summary: 'Delete a room and its messages (administrators only)',
        description: 'Its members are taken out of it (`removed`).',
        operationId: 'deleteRoom',
        security: signedIn,
        params: RoomParams,
        response: {
          204: Type.Null({ description: 'deleted' }),
          ...errorResponses({ ...paramErrors, ...adminErrors, ...noSuchRoom }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const epoch = await rooms.delete(id);
      await announceChange({ kind: 'deleted', room: { id, epoch } });
      return reply.code(204).send(null);
    },
  );
};
