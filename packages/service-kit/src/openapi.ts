/**
 * The OpenAPI side of every service: @fastify/swagger builds the document from the routes' own schemas (so
 * it cannot drift from what is validated and serialized), and these helpers say the parts every route shares:
 * who may call it and the error bodies it may answer with.
 */
import fastifySwagger, { type SwaggerOptions } from '@fastify/swagger';
import { ChatError, ErrorBody, ErrorCode } from '@chat/protocol';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A signed-in caller: the session token as a bearer header (programs) or as the session cookie (browsers). */
export const signedIn: Record<string, string[]>[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
/** Open to anyone; a session, when there is one, is read (logout). */
export const sessionIfAny: Record<string, string[]>[] = [...signedIn, {}];

export const securitySchemes = {
  bearerAuth: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The `token` of `POST /api/auth/login`: an EdDSA (Ed25519) JWT.',
  },
  sessionCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'chat_session',
    description: 'Set by `POST /api/auth/login` (httpOnly, SameSite=Strict); the same token as the bearer one.',
  },
} as const;

/** Statuses an error body may come with (packages/protocol/src/errors.ts, service-kit's error handler). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 414 | 415 | 429 | 500 | 503;

/**
 * The codes an error of this status may carry: those the protocol maps to it. A status no code maps to (414,
 * 415: refused by Fastify before any route) carries BAD_REQUEST, as the error handler says.
 */
function codesOf(status: number): ErrorCode[] {
  const codes = Object.values(ErrorCode).filter((code) => new ChatError(code, '').statusCode === status);
  return codes.length > 0 ? codes : [ErrorCode.BAD_REQUEST];
}

/** The error body, described for one status of one route, its `code` narrowed to what that status carries. */
function errorResponse(status: number, description: string) {
  return Type.Object(
    { ...ErrorBody.properties, code: Type.Unsafe<ErrorCode>({ type: 'string', enum: codesOf(status) }) },
    { description },
  );
}

type ErrorResponse = ReturnType<typeof errorResponse>;

/**
 * Every route can fail inside (500) or find a dependency down (503: its database, or, through the gateway,
 * the service itself): those are added to the statuses a route names.
 */
export function errorResponses(errors: Partial<Record<ErrorStatus, string>>): Record<number, ErrorResponse> {
  const all: Partial<Record<ErrorStatus, string>> = {
    ...errors,
    500: 'INTERNAL: a bug; the details are logged, not sent',
    503: 'UNAVAILABLE: a service or its database is down or not answering; retry after Retry-After seconds',
  };
  return Object.fromEntries(
    Object.entries(all).map(([status, description]) => [status, errorResponse(Number(status), description)]),
  );
}

/** One description for every 400 a route's input can earn, so that routes combining these agree on it. */
const badRequest = 'BAD_REQUEST: the request fails its schema (path, query or body), or its body is not JSON';

/** What any route with a JSON body may be refused with before its handler runs. */
export const bodyErrors = {
  400: badRequest,
  413: 'PAYLOAD_TOO_LARGE: the body is over 64 KiB',
  415: 'BAD_REQUEST: the body is of no type, or of one that is not JSON',
} as const;

export const sessionErrors = {
  401: 'UNAUTHORIZED: no valid session (no token, a bad or expired one, or a session ended by logout)',
  403: 'USER_DISABLED: the account is disabled',
} as const;

export const adminErrors = {
  ...sessionErrors,
  403: 'USER_DISABLED: the account is disabled; FORBIDDEN: the caller is not an administrator (now)',
} as const;

/** A path parameter longer than Fastify's bound (100 characters) is refused before routing, with 414. */
export const paramErrors = { 400: badRequest, 414: 'BAD_REQUEST: a path parameter is too long' } as const;

export const queryErrors = { 400: badRequest } as const;

/** `GET /api/auth/readyz` -> `getApiAuthReadyz`: for routes of one code on many paths, unique in any document. */
export function operationIdOf(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');
}

export interface OpenApiDocumentOptions {
  title: string;
  description: string;
  /** The tags the service's routes use, each with what it groups (`health` is added: healthRoutes uses it). */
  tags?: { name: string; description: string }[];
}

const healthTag = { name: 'health', description: 'Whether the service serves, and whether it is ready (its checks)' };

/** The options of @fastify/swagger for one service's document (and the gateway's own routes). */
export function openApiOptions(
  { title, description, tags = [] }: OpenApiDocumentOptions,
  hideUntagged = false,
): SwaggerOptions {
  return {
    openapi: {
      // 3.1: its schemas are JSON Schema 2020-12, so what TypeBox wrote is what a validator reads.
      openapi: '3.1.0',
      info: { title, description, version: '1' },
      tags: [...tags, healthTag],
      components: { securitySchemes: { ...securitySchemes } },
    },
    hideUntagged,
  };
}

/**
 * The service's document, built from the schemas of every route registered after this plugin, at
 * GET /openapi.json. The gateway fetches it from there to combine the services' documents into one.
 */
export const openApiDocument = fp(
  async (app: FastifyInstance, info: OpenApiDocumentOptions) => {
    await app.register(fastifySwagger, openApiOptions(info));
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  },
  { name: 'openapi-document' },
);
