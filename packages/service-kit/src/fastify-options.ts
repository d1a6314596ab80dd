/** Fastify settings every service shares, so that each behaves the same at its edges. */
import { ErrorCode } from '@chat/protocol';
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import { loggerOptions, ServiceLogController } from './logging.js';
import { trustProxyOption } from './service-env.js';

/** `trustProxy` is the service's TRUST_PROXY: request.ip is the client's address as the trusted proxies tell it. */
export function serviceFastifyOptions(service: string, logLevel: string, trustProxy: string): FastifyServerOptions {
  return {
    logger: loggerOptions(logLevel, service),
    logController: new ServiceLogController(),
    trustProxy: trustProxyOption(trustProxy),
    bodyLimit: 64 * 1024,
    // Fastify's default silently drops unknown fields; our schemas say additionalProperties: false to refuse them.
    ajv: { customOptions: { removeAdditional: false } },
    // Errors Fastify raises before routing (a malformed URL, an overlong parameter) get the usual {code, message}.
    frameworkErrors: (error, _request, reply) => {
      (reply as FastifyReply)
        .code(error.statusCode ?? 400)
        .send({ code: ErrorCode.BAD_REQUEST, message: error.message });
    },
  };
}
