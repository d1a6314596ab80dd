/**
 * OpenAPI documents in tests: is a document valid and complete, and does an answer match what the document
 * says of its operation (a documented status, a body of the documented schema)?
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

export interface OpenApiOperation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { description: string; content?: Record<string, { schema?: object }> }>;
}

export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<(typeof METHODS)[number], OpenApiOperation>>>;
  components?: { schemas?: Record<string, object>; securitySchemes?: Record<string, object> };
  tags?: { name: string }[];
  [key: string]: unknown;
}

export interface LocatedOperation {
  method: string;
  path: string;
  operation: OpenApiOperation;
}

export function operationsOf(document: OpenApiDocument): LocatedOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.flatMap((method) =>
      item[method] ? [{ method: method.toUpperCase(), path, operation: item[method] }] : [],
    ),
  );
}

/**
 * What is wrong with the document: whatever the OpenAPI schema refuses, and every operation that lacks what
 * ours all have (an operationId unique in the document, a summary, tags, a schema for each JSON answer,
 * a documented 5xx). Empty when all is well.
 */
export async function openApiProblems(document: OpenApiDocument): Promise<string[]> {
  const result = await new Validator().validate(structuredClone(document));
  const problems = result.valid ? [] : [`not valid OpenAPI: ${JSON.stringify(result.errors)}`];
  const seen = new Set<string>();
  for (const { method, path, operation } of operationsOf(document)) {
    const where = `${method} ${path}`;
    const { operationId } = operation;
    if (!operationId) problems.push(`${where}: no operationId`);
    else if (seen.has(operationId)) problems.push(`${where}: operationId ${operationId} is used twice`);
    else seen.add(operationId);
    if (!operation.summary) problems.push(`${where}: no summary`);
    if (!operation.tags?.length) problems.push(`${where}: no tags`);
    if (!Object.keys(operation.responses).some((status) => status.startsWith('5')))
      problems.push(`${where}: no 5xx answer documented`);
    for (const [status, response] of Object.entries(operation.responses)) {
      if (response.content && !response.content['application/json']?.schema)
        problems.push(`${where} ${status}: an answer with content but no JSON schema`);
    }
  }
  return problems;
}

/** Checks answers against the document, each by its operationId: `check` gives what is wrong, or nothing. */
export function responseChecker(document: OpenApiDocument) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // OpenAPI keywords a JSON Schema validator does not know, but may meet inside a schema.
  for (const keyword of ['example', 'xml', 'externalDocs', 'discriminator']) ajv.addKeyword(keyword);
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    ajv.addSchema(schema, `#/components/schemas/${name}`);
  }
  const byId = new Map<string, LocatedOperation>();
  for (const located of operationsOf(document)) {
    if (located.operation.operationId) byId.set(located.operation.operationId, located);
  }
  const validators = new Map<string, ValidateFunction>();

  return {
    operationIds: [...byId.keys()],
    operation: (operationId: string) => byId.get(operationId),
    /** What is wrong with an answer to `operationId`; empty when it is as documented. */
    check(operationId: string, status: number, body: unknown): string[] {
      const located = byId.get(operationId);
      if (!located) return [`${operationId}: not in the document`];
      const { responses } = located.operation;
      const key = [String(status), `${String(status)[0]}XX`, 'default'].find((candidate) => responses[candidate]);
      if (!key) return [`${operationId}: status ${status} is not documented (${Object.keys(responses).join(', ')})`];
      const schema = responses[key]?.content?.['application/json']?.schema;
      if (!schema) {
        return body === undefined ? [] : [`${operationId} ${status}: documented without content, answered with some`];
      }
      const cacheKey = `${operationId} ${key}`;
      let validate = validators.get(cacheKey);
      if (!validate) {
        validate = ajv.compile(schema);
        validators.set(cacheKey, validate);
      }
      if (validate(body)) return [];
      return [`${operationId} ${status}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(body)}`];
    },
  };
}
