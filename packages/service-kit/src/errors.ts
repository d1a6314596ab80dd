/**
 * The one place where a failure becomes an HTTP answer: {code, message, requestId}; 5xx details are logged, not
 * sent.
 */
import { ChatError, ErrorCode, type ErrorBody } from '@chat/protocol';
import type { FastifyError, FastifyInstance } from 'fastify';

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ChatError, request, reply) => {
    if (error instanceof ChatError) {
      // Whoever is told "unavailable" may try again; a second later is soon enough and spreads a crowd.
      if (error.statusCode === 503) reply.header('retry-after', '1');
      return reply.code(error.statusCode).send({ ...error.toJSON(), requestId: request.id });
    }
    const status = error.statusCode ?? 500;
    if (error.validation) {
      return reply
        .code(400)
        .send(
          body(
            ErrorCode.BAD_REQUEST,
            `${error.validationContext ?? 'request'}${error.message.replace(/^[a-z]+/, '')}`,
            request.id,
          ),
        );
    }
    if (status === 413) return reply.code(413).send(body(ErrorCode.PAYLOAD_TOO_LARGE, error.message, request.id));
    if (status === 429) return reply.code(429).send(body(ErrorCode.RATE_LIMITED, error.message, request.id));
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable');
      return reply
        .code(503)
        .header('retry-after', '1')
        .send(body(ErrorCode.UNAVAILABLE, 'the database is unavailable; try again shortly', request.id));
    }
    if (status >= 400 && status < 500) {
      const code =
        status === 401
          ? ErrorCode.UNAUTHORIZED
          : status === 403
            ? ErrorCode.FORBIDDEN
            : status === 404
              ? ErrorCode.NOT_FOUND
              : ErrorCode.BAD_REQUEST;
      return reply.code(status).send(body(code, error.message, request.id));
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send(body(ErrorCode.INTERNAL, 'internal error', request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(body(ErrorCode.NOT_FOUND, `no route ${request.method} ${request.url.split('?')[0]}`, request.id));
  });
}

/** `requestId` tells the caller which request this was: the id to report, found in every service's log. */
function body(code: ErrorCode, message: string, requestId: string): ErrorBody {
  return { code, message, requestId };
}

/** Connection-level failures of Postgres (down, restarting, unreachable), as opposed to a bad query. */
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006',
]);

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && unavailableCodes.has(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(error.message);
}
