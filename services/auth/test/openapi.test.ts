/** The auth service's OpenAPI document: valid, and every route in it with its id, summary, tags and answers. */
import { type OpenApiDocument, openApiProblems, operationsOf } from '@chat/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHarness, startAuth } from './harness.js';

let auth: AuthHarness;
let document: OpenApiDocument;
beforeAll(async () => {
  auth = await startAuth();
  const res = await auth.call('GET', '/openapi.json');
  expect(res.status).toBe(200);
  document = res.body;
});
afterAll(async () => {
  await auth?.stop();
});

describe('auth OpenAPI document', () => {
  it('is valid OpenAPI 3.1 and documents every operation fully', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(await openApiProblems(document)).toEqual([]);
  });

  it('documents every REST route of the service, with the bearer token and the session cookie as schemes', () => {
    const operations = operationsOf(document).map(({ method, path }) => `${method} ${path}`);
    expect(operations.sort()).toEqual(
      [
        'GET /api/auth/health',
        'GET /api/auth/me',
        'GET /api/auth/readyz',
        'GET /api/auth/users',
        'GET /healthz',
        'GET /readyz',
        'POST /api/auth/login',
        'POST /api/auth/logout',
        'POST /api/auth/users',
        'PATCH /api/auth/users/{id}',
        'DELETE /api/auth/users/{id}',
      ].sort(),
    );
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(['bearerAuth', 'sessionCookie']);
  });
});
