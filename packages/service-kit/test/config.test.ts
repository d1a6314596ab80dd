import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, isDatabaseUnavailable, loadConfig } from '../src/index.js';

const Env = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  SECURE: Type.Boolean({ default: false }),
});

describe('loadConfig', () => {
  it('applies defaults and converts numbers and booleans', () => {
    expect(loadConfig(Env, { DATABASE_URL: 'postgres://x/y', SECURE: 'true' })).toEqual({
      PORT: 3000,
      DATABASE_URL: 'postgres://x/y',
      SECURE: true,
    });
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(Env, {})).toThrow(new ConfigError('invalid configuration: DATABASE_URL is missing'));
  });

  it('names an invalid variable', () => {
    expect(() => loadConfig(Env, { DATABASE_URL: 'mysql://x', PORT: 'eighty' })).toThrow(
      /PORT is invalid.*DATABASE_URL is invalid|DATABASE_URL is invalid.*PORT is invalid/,
    );
  });
});

describe('isDatabaseUnavailable', () => {
  it('tells a database that is down from a bad query', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(
      true,
    );
    expect(isDatabaseUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false);
  });
});
