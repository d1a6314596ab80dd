/**
 * How every service logs: pino at LOG_LEVEL with secrets redacted; JSON lines, or readable lines when written
 * to a terminal; one line per HTTP request, at debug.
 */
import { LogController } from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import pretty from 'pino-pretty';

/** Where log lines go: stdout unless a test says otherwise. A terminal gets them pretty-printed. */
export type LogDestination = NodeJS.WritableStream & { isTTY?: boolean };

/** pino options for Fastify's `logger`; `destination` stands in for stdout in tests. */
export function loggerOptions(level: string, service: string, destination?: LogDestination) {
  const out = destination ?? process.stdout;
  return {
    level,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        'password',
        'token',
      ],
      censor: '[redacted]',
    },
    // Pipes and files (containers, log shippers, the tests reading "Server listening at") keep JSON.
    stream: out.isTTY ? terminalStream(out) : destination,
  };
}

/** `[12:03:04.567] INFO: gateway (req-7): GET /api/rooms 200 1.9 ms`, in colour; details and stacks below it. */
function terminalStream(out: LogDestination) {
  return pretty({
    destination: out,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,service,reqId,req,res,responseTime',
    messageFormat: (log, messageKey) =>
      `${log.service}${log.reqId ? ` (${log.reqId})` : ''}: ${String(log[messageKey] ?? '')}`,
  });
}

const DEBUG_LEVELS = new Set(['debug', 'trace']);

/**
 * Fastify logs two lines per request at info ("incoming request", "request completed"): on a busy service
 * that drowns everything else. Here a request is one line, at debug, when it completes; a request that
 * failed in flight (the client went away mid-answer) is still an error.
 */
export class ServiceLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) {
      reply.log.error({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
      return;
    }
    if (!DEBUG_LEVELS.has(reply.log.level)) return;
    const ms = reply.elapsedTime;
    reply.log.debug(
      { req: requestSummary(request), res: reply, responseTime: ms },
      `${request.method} ${request.url} ${reply.statusCode} ${ms.toFixed(1)} ms`,
    );
  }
}

/**
 * The request as Fastify's `req` serializer reads it, without letting `request.ip` throw: that getter reads the
 * socket, which is gone by the time a request whose socket was handed over completes (a forwarded call, an
 * upgrade released for memory), and a throw here would fail the request's completion.
 */
function requestSummary(request: FastifyRequest) {
  let ip: string | undefined;
  try {
    ip = request.ip;
  } catch {
    ip = undefined;
  }
  return { method: request.method, url: request.url, host: request.host, ip, socket: request.raw.socket ?? undefined };
}
