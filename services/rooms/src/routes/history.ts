/** A room's message history for those allowed in the room, page by page (?before=<seq>&limit=). */
import { ChatError, ErrorCode, HistoryQuery, HistoryResult, RoomParams } from '@chat/protocol';
import { errorResponses, paramErrors, queryErrors, sessionErrors, signedIn } from '@chat/service-kit';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { MessageHistory } from '../messages/history.js';
import { assertMayEnter, type RoomStore } from '../rooms/store.js';

export const historyRoutes: FastifyPluginAsyncTypebox<{ rooms: RoomStore; history: MessageHistory }> = async (
  app,
  { rooms, history },
) => {
  app.get(
    '/api/rooms/:id/messages',
    {
      preHandler: app.authenticate,
      schema: {
        tags: ['rooms'],
        summary: "A page of a room's messages, oldest first (for those allowed in the room)",
        description:
          'The messages with a seq below `before` (the latest without it), at most `limit`. Deleted messages keep ' +
          'their seq, with empty text and `deletedAt`, so a page has no holes.',
        operationId: 'listRoomMessages',
        security: signedIn,
        params: RoomParams,
        querystring: HistoryQuery,
        response: {
          200: { ...HistoryResult, description: 'the page' },
          ...errorResponses({
            ...queryErrors,
            ...paramErrors,
            ...sessionErrors,
            403: 'ROOM_ACCESS_DENIED: the room is staff-only and the caller is not staff (now); USER_DISABLED',
            404: 'ROOM_INVALID: no room with this id (a malformed id is one)',
          }),
        },
      },
    },
    async (request) => {
      const { before, limit } = request.query;
      // Query strings such as limit=1e309 coerce to numbers no schema bound can catch (Infinity).
      for (const value of [before, limit]) {
        if (value !== undefined && !Number.isSafeInteger(value))
          throw new ChatError(ErrorCode.BAD_REQUEST, 'before and limit are whole numbers');
      }
      const room = await rooms.get(request.params.id);
      assertMayEnter(room, request.currentUser);
      return { room: room.id, messages: await history.page(room.id, { before, limit }) };
    },
  );
};
