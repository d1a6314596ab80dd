import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { commonEnv, loadConfig, serviceFastifyOptions, trustProxyOption } from '../src/index.js';

const Env = Type.Object(commonEnv(3000));

describe('TRUST_PROXY', () => {
  it('trusts loopback unless told otherwise', () => {
    expect(loadConfig(Env, {}).TRUST_PROXY).toBe('loopback');
    expect(trustProxyOption('loopback')).toEqual(['loopback']);
  });

  it('takes addresses, CIDR ranges and named ranges, or true and false', () => {
    const value = '10.0.0.0/8, 192.0.2.7,fd00::/8,::1,uniquelocal';
    expect(loadConfig(Env, { TRUST_PROXY: value }).TRUST_PROXY).toBe(value);
    expect(trustProxyOption(value)).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1', 'uniquelocal']);
    expect(trustProxyOption('true')).toBe(true);
    expect(trustProxyOption('false')).toBe(false);
  });

  it('refuses a hop count (Fastify 5 would trust nobody) and anything that is not an address, by name', () => {
    for (const value of ['1', '2', 'gateway', '10.0.0.0/33', '10.0.0', '10.0.0.1,', 'yes']) {
      expect(() => loadConfig(Env, { TRUST_PROXY: value }), value).toThrow(/TRUST_PROXY is invalid/);
    }
  });

  it('decides whose X-Forwarded-For a service believes', async () => {
    const clientAddress = async (trustProxy: string) => {
      const app = Fastify(serviceFastifyOptions('test', 'silent', trustProxy));
      app.get('/ip', async (request) => ({ ip: request.ip }));
      const url = await app.listen({ host: '127.0.0.1', port: 0 });
      try {
        const res = await fetch(`${url}/ip`, { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } });
        return ((await res.json()) as { ip: string }).ip;
      } finally {
        await app.close();
      }
    };
    // The test connects from loopback: a trusted proxy by default, which says whom it forwards.
    expect(await clientAddress('loopback')).toBe('203.0.113.9');
    expect(await clientAddress('loopback,203.0.113.0/24')).toBe('198.51.100.1');
    expect(await clientAddress('192.0.2.1')).toBe('127.0.0.1');
    expect(await clientAddress('false')).toBe('127.0.0.1');
  });
});
