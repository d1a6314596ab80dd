/** Fastify settings every service shares, so that each behaves the same at its edges. */
import { ErrorCode, RequestIdHeaders } from '@chat/protocol';
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import { loggerOptions, ServiceLogController } from './logging.js';
import { requestIdOptions } from './request-id.js';
import { trustProxyOption } from './service-env.js';

/**
 * `trustProxy` is the service's TRUST_PROXY: request.ip is the client's address as the trusted proxies tell it.
 * `requestIdsFromGateway`: take the gateway's request id from `x-request-id` (auth, rooms; see request-id.ts).
 */
export function serviceFastifyOptions(
  service: string,
  logLevel: string,
  trustProxy: string,
  { requestIdsFromGateway = false }: { requestIdsFromGateway?: boolean } = {},
): FastifyServerOptions {
  return {
    logger: loggerOptions(logLevel, service),
    ...requestIdOptions(requestIdsFromGateway),
    logController: new ServiceLogController(),
    trustProxy: trustProxyOption(trustProxy),
    bodyLimit: 64 * 1024,
    // Fastify's default silently drops unknown fields; our schemas say additionalProperties: false to refuse them.
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (a malformed URL, an overlong parameter) get the usual {code, message}.
    frameworkErrors: (error, request, reply) => {
      (reply as FastifyReply)
        .code(error.statusCode ?? 400)
        .header(RequestIdHeaders.http, request.id)
        .send({ code: ErrorCode.BAD_REQUEST, message: error.message, requestId: request.id });
    },
  };
}
