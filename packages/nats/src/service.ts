/**
 * Declares request/reply endpoints with @nats-io/services, so `nats micro ls|info|stats` discover them.
 * Each endpoint validates its JSON payload, runs its handler concurrently with others, and answers with the
 * result or with a service error whose body is the ChatError's {code, message}. A request that names the
 * gateway's request id (Chat-Request-Id) is handled under it: every line logged about it carries it as `reqId`.
 */
import { headers, type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { type ServiceMsg, Svcm } from '@nats-io/services';
import type { TSchema, Static } from '@sinclair/typebox';
import { ChatError, ErrorCode, isRequestId, RequestIdHeaders, type Validator } from '@chat/protocol';
import { decodeJson, encodeJson } from './codec.js';
import type { NatsLogger } from './connect.js';

/**
 * A reply that is already JSON text (for example stitched from kept, serialized parts), sent as it is, with
 * optional headers for what the caller needs without parsing the body.
 */
export class RawReply {
  constructor(
    /** JSON, as text or already encoded (bytes shared between many answers are never copied). */
    readonly json: string | Uint8Array,
    readonly headers?: Record<string, string>,
  ) {}
}

export interface EndpointSpec<S extends TSchema = TSchema> {
  subject: string;
  validator: Validator<S>;
  handle(payload: Static<S>, request: EndpointRequest): Promise<unknown>;
}

/** How endpoints log: pino's logger (Fastify's app.log); tests may give less, and lose only the request's lines. */
export interface EndpointLogger extends NatsLogger {
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
  level?: string;
  child?(bindings: Record<string, unknown>): EndpointLogger;
}

/** The request an endpoint answers: the gateway's id of it (when it named one) and a logger that names it. */
export class EndpointRequest {
  private requestLog: EndpointLogger | undefined;

  constructor(
    readonly id: string | undefined,
    private readonly serviceLog: EndpointLogger,
  ) {}

  /** Every line carries `reqId`. Made on first use: most requests log nothing, and a child logger is not free. */
  get log(): EndpointLogger {
    this.requestLog ??=
      this.id !== undefined && this.serviceLog.child ? this.serviceLog.child({ reqId: this.id }) : this.serviceLog;
    return this.requestLog;
  }
}

const DEBUG_LEVELS = new Set(['debug', 'trace']);

export interface ServiceSpec {
  name: string;
  version: string;
  description: string;
  queue: string;
  endpoints: Record<string, EndpointSpec>;
}

export function endpoint<S extends TSchema>(spec: EndpointSpec<S>): EndpointSpec {
  return spec as unknown as EndpointSpec;
}

/** A started service. */
export interface RunningService {
  /**
   * Takes no new requests, then waits (at most `stopWaitMs`) for those being answered. A service that
   * drained its NATS connection right after stopping would drop those answers (a publish on a draining
   * connection is refused), and their callers would wait out their deadline: on every rolling restart.
   */
  stop(): Promise<void>;
}

export interface ServiceOptions {
  /**
   * How long `stop` waits for answers under way. Callers give up after their own deadline (3 s by default),
   * so longer is no use, and the rest of a shutdown needs what is left of its 10 s.
   */
  stopWaitMs?: number;
}

export async function startService(
  nc: NatsConnection,
  spec: ServiceSpec,
  logger: EndpointLogger,
  { stopWaitMs = 5000 }: ServiceOptions = {},
): Promise<RunningService> {
  const service = await new Svcm(nc).add({
    name: spec.name,
    version: spec.version,
    description: spec.description,
    queue: spec.queue,
  });
  let answering = 0;
  let allAnswered: (() => void) | undefined;
  const answered = () => {
    if (--answering === 0) allAnswered?.();
  };
  for (const [name, ep] of Object.entries(spec.endpoints)) {
    service.addEndpoint(name, {
      subject: ep.subject,
      handler: (err, msg) => {
        if (err) {
          logger.error({ err, endpoint: name }, 'nats endpoint stopped');
          return;
        }
        answering++;
        void answer(ep, msg, logger).then(answered);
      },
    });
  }
  return {
    async stop() {
      await service.stop();
      if (answering === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          logger.warn({ answering, service: spec.name }, 'stopped with requests still being answered');
          resolve();
        }, stopWaitMs);
        allAnswered = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

async function answer(ep: EndpointSpec, msg: ServiceMsg, logger: EndpointLogger): Promise<void> {
  // The header is parsed only when the request has headers: a request without any costs nothing more.
  const id = msg.headers?.get(RequestIdHeaders.nats);
  const request = new EndpointRequest(isRequestId(id) ? id : undefined, logger);
  // At debug, one line per request, as Fastify's for HTTP (logging.ts in service-kit): LOG_LEVEL=debug shows each.
  const startedAt = logger.level !== undefined && DEBUG_LEVELS.has(logger.level) ? performance.now() : undefined;
  let refused: ChatError | undefined;
  try {
    const payload = ep.validator.assert(decodeJson(msg.data));
    const result = await ep.handle(payload, request);
    if (result instanceof RawReply) {
      msg.respond(result.json, result.headers ? { headers: toHeaders(result.headers) } : undefined);
    } else {
      msg.respond(encodeJson(result ?? null));
    }
  } catch (err) {
    refused = err instanceof ChatError ? err : new ChatError(ErrorCode.INTERNAL, 'internal error');
    if (!(err instanceof ChatError)) request.log.error({ err, subject: ep.subject }, 'endpoint failed');
    msg.respondError(refused.statusCode, refused.message, encodeJson(refused.toJSON()));
  }
  if (startedAt !== undefined) {
    const ms = performance.now() - startedAt;
    request.log.debug?.(
      { subject: ep.subject, code: refused?.code, responseTime: ms },
      `${ep.subject} ${refused?.code ?? 'ok'} ${ms.toFixed(1)} ms`,
    );
  }
}

function toHeaders(values: Record<string, string>): MsgHdrs {
  const h = headers();
  for (const [key, value] of Object.entries(values)) h.set(key, value);
  return h;
}
