/** Who is knocking: the address Fastify would call request.ip, and the queue it waits in. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { admissionKey, clientAddressOf } from '../src/client-address.js';

const request = (peer: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress: peer },
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
    connection: { remoteAddress: peer },
  }) as unknown as IncomingMessage;

describe('the client address at the door', () => {
  it('believes X-Forwarded-For only from a trusted proxy', () => {
    const loopback = clientAddressOf('loopback');
    expect(loopback(request('127.0.0.1', '203.0.113.7'))).toBe('203.0.113.7');
    expect(loopback(request('198.51.100.2', '203.0.113.7'))).toBe('198.51.100.2');
    expect(clientAddressOf('false')(request('127.0.0.1', '203.0.113.7'))).toBe('127.0.0.1');
    expect(clientAddressOf('10.0.0.0/8')(request('10.1.2.3', '203.0.113.7, 10.0.0.9'))).toBe('203.0.113.7');
  });

  it('gives an IPv6 client one queue per /64, and an IPv4-mapped address the IPv4 queue', () => {
    expect(admissionKey('2001:db8:1:2:aaaa::1')).toBe(admissionKey('2001:db8:1:2:bbbb::2'));
    expect(admissionKey('2001:db8:1:2::1')).not.toBe(admissionKey('2001:db8:1:3::1'));
    expect(admissionKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(admissionKey('192.0.2.1')).toBe('192.0.2.1');
  });
});
