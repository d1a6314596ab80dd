/** A room's message history for those allowed in the room, page by page (?before=<seq>&limit=). */
import { ChatError, ErrorCode, HistoryQuery, type HistoryResult, RoomParams } from '@chat/protocol';
import type { FastifyInstance } from 'fastify';
import type { MessageHistory } from '../messages/history.js';
import { assertMayEnter, type RoomStore } from '../rooms/store.js';

export async function historyRoutes(app: FastifyInstance, opts: { rooms: RoomStore; history: MessageHistory }) {
  const { rooms, history } = opts;

  app.get(
    '/api/rooms/:id/messages',
    { preHandler: app.authenticate, schema: { params: RoomParams, querystring: HistoryQuery } },
    async (request): Promise<HistoryResult> => {
      const { id } = request.params as RoomParams;
      const { before, limit } = request.query as HistoryQuery;
      // Query strings such as limit=1e309 coerce to numbers no schema bound can catch (Infinity).
      for (const value of [before, limit]) {
        if (value !== undefined && !Number.isSafeInteger(value))
          throw new ChatError(ErrorCode.BAD_REQUEST, 'before and limit are whole numbers');
      }
      const room = await rooms.get(id);
      assertMayEnter(room, request.currentUser);
      return { room: room.id, messages: await history.page(room.id, { before, limit }) };
    },
  );
}
