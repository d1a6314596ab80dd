/**
 * The one OpenAPI document of everything under /api/: each service's own document (built from its route
 * schemas, the source of truth) fetched from it, and the gateway's own /api/ routes, as one.
 */
import { ChatError, ErrorCode } from '@chat/protocol';
import { LRUCache } from 'lru-cache';

/** The parts of an OpenAPI document that are merged; the rest is the gateway's. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, unknown>;
  tags?: { name: string; description?: string }[];
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  [key: string]: unknown;
}

export interface DocumentedService {
  name: string;
  /** Where the service serves its document: its instances' addresses, as the gateway forwards to them. */
  urls: string[];
  /** The paths the gateway forwards to this service, unchanged (routes/proxy.ts): only those are taken. */
  prefix: string;
}

export interface CombinedDocumentOptions {
  services: DocumentedService[];
  /** The gateway's own document (@fastify/swagger's); only its /api/ paths are taken. */
  own: () => OpenApiDocument;
  timeoutMs: number;
  /** How long a service's document is kept before it is asked again. */
  ttlMs?: number;
}

const isUnder = (prefix: string) => (path: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * `get()` answers the combined document. A service's document is kept for `ttlMs`; a failed fetch is not kept,
 * so the next request asks again, and meanwhile the last good document (if any) still serves. A service
 * whose document was never had makes the whole one UNAVAILABLE: half a document would look complete.
 */
export function combinedDocument({ services, own, timeoutMs, ttlMs = 60_000 }: CombinedDocumentOptions) {
  const documents = new LRUCache<string, OpenApiDocument, DocumentedService>({
    max: services.length,
    ttl: ttlMs,
    allowStaleOnFetchRejection: true,
    noDeleteOnFetchRejection: true,
    // The instances serve the same document (one build): the first that answers gives it.
    fetchMethod: async (_name, _stale, { context: service }) => {
      let failure: unknown;
      for (const url of service.urls) {
        try {
          const res = await fetch(`${url}/openapi.json`, { signal: AbortSignal.timeout(timeoutMs) });
          if (res.ok) return (await res.json()) as OpenApiDocument;
          failure = new Error(`${url}/openapi.json answered ${res.status}`);
        } catch (err) {
          failure = err;
        }
      }
      throw failure;
    },
  });

  async function documentOf(service: DocumentedService): Promise<OpenApiDocument> {
    try {
      const document = await documents.fetch(service.name, { context: service });
      if (document) return document;
    } catch {
      // Told to the client below; the service's own log says why it did not answer.
    }
    throw new ChatError(ErrorCode.UNAVAILABLE, `the ${service.name} service's API description is not available`);
  }

  return {
    async get(): Promise<OpenApiDocument> {
      const gateway = own();
      const parts = [
        { document: gateway, keep: isUnder('/api') },
        ...(await Promise.all(
          services.map(async (service) => ({ document: await documentOf(service), keep: isUnder(service.prefix) })),
        )),
      ];
      const combined: Required<Pick<OpenApiDocument, 'paths' | 'tags' | 'components'>> & OpenApiDocument = {
        ...gateway,
        paths: {},
        tags: [],
        components: { schemas: {}, securitySchemes: {} },
      };
      for (const { document, keep } of parts) {
        for (const [path, item] of Object.entries(document.paths)) {
          if (keep(path)) combined.paths[path] = item;
        }
        for (const tag of document.tags ?? []) {
          if (!combined.tags.some(({ name }) => name === tag.name)) combined.tags.push(tag);
        }
        // Every service names the same security schemes (service-kit's openapi.ts) and no shared schemas yet.
        Object.assign(combined.components.schemas as object, document.components?.schemas);
        Object.assign(combined.components.securitySchemes as object, document.components?.securitySchemes);
      }
      return combined;
    },
  };
}
