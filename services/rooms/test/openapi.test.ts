/** The rooms service's OpenAPI document: valid, and every route in it with its id, summary, tags and answers. */
import { type OpenApiDocument, openApiProblems, operationsOf } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './stack.js';

let stack: Stack;
let document: OpenApiDocument;
beforeAll(async () => {
  stack = await startStack();
  const res = await stack.api<OpenApiDocument>('/openapi.json');
  expect(res.status).toBe(200);
  document = res.body;
});
afterAll(async () => {
  await stack?.close();
});

describe('rooms OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and documents every operation fully', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(await openApiProblems(document)).toEqual([]);
  });

  it('documents every REST route of the service', () => {
    const operations = operationsOf(document).map(({ method, path }) => `${method} ${path}`);
    expect(operations.sort()).toEqual(
      [
        'GET /api/rooms',
        'POST /api/rooms',
        'GET /api/rooms/{id}',
        'PATCH /api/rooms/{id}',
        'DELETE /api/rooms/{id}',
        'GET /api/rooms/{id}/messages',
        'GET /api/rooms/health',
        'GET /api/rooms/readyz',
        'GET /healthz',
        'GET /readyz',
      ].sort(),
    );
  });
});
