/**
 * GET /api/openapi.json, the OpenAPI document of everything under /api/ (the services' and the gateway's own
 * routes, combined), GET /openapi.json, the gateway's own routes alone (as every service serves its own), and
 * GET /api/docs, Swagger UI browsing the combined one. Swagger UI's files are served from its
 * package, from this origin (no CDN): the gateway's Content-Security-Policy holds for them, but for inline
 * styles on these pages alone.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses, openApiOptions } from '@chat/service-kit';
import { Type } from '@sinclair/typebox';
import fp from 'fastify-plugin';
import { combinedDocument, type DocumentedService, type OpenApiDocument } from '../api-docs/combined-document.js';

export const OPENAPI_PATH = '/api/openapi.json';

export interface ApiDocsOptions {
  /** The services the gateway forwards to, each with the prefix of its paths. */
  services: DocumentedService[];
  timeoutMs: number;
}

// Open objects: the response serializer drops every property a schema does not name or let through.
const open = Type.Object({}, { additionalProperties: true });
const DocumentSchema = Type.Object(
  { openapi: Type.String(), info: open, paths: open },
  { additionalProperties: true, description: 'the OpenAPI 3.1 document' },
);

const apiDocs: FastifyPluginAsyncTypebox<ApiDocsOptions> = async (app, { services, timeoutMs }) => {
  // Registered before the gateway's other routes, so its own /api/ routes are seen; hideUntagged leaves out
  // the forwarding routes and /ws, which describe nothing.
  await app.register(
    fastifySwagger,
    openApiOptions(
      {
        title: 'MultiChat',
        description:
          'The REST API of the chat, as the gateway serves it: /api/auth/* is the auth service, /api/rooms/* ' +
          'the rooms service. The WebSocket protocol (/ws), the login flow, cookie or bearer and the login ' +
          'limits are described in docs/protocol.md.',
        tags: [{ name: 'documentation', description: 'This document' }],
      },
      true,
    ),
  );
  const document = combinedDocument({ services, own: () => app.swagger() as OpenApiDocument, timeoutMs });
  // The gateway's own routes alone, where every service serves its own document (an operator's tools look there).
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get(
    OPENAPI_PATH,
    {
      schema: {
        tags: ['documentation'],
        summary: 'This OpenAPI document: every route under /api/, combined from the services',
        operationId: 'getOpenApiDocument',
        response: { 200: DocumentSchema, ...errorResponses({}) },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-cache');
      return document.get();
    },
  );

  await app.register(fastifySwaggerUi, {
    routePrefix: '/api/docs',
    theme: { title: 'MultiChat API' },
    uiConfig: { deepLinking: true, tryItOutEnabled: false },
    // Swagger UI's bundle adds one <style> element at run time; the rest of the policy stays as it is.
    transformStaticCSP: (header) => header.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
    uiHooks: {
      // Swagger UI loads ./json, which would be the gateway's own routes alone: the combined one is the document.
      onRequest: async (request, reply) => {
        if (/^\/api\/docs\/(json|yaml)$/.test(request.url.split('?')[0] ?? '')) return reply.redirect(OPENAPI_PATH);
      },
    },
  });
};

export const apiDocsRoutes = fp(apiDocs, { name: 'api-docs' });
