/**
 * Whose turn it is at the door: the client's address as Fastify would resolve it (request.ip), read from the
 * raw upgrade request, which arrives before Fastify has made a request of it.
 */
import type { IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';
import { trustProxyOption } from '@chat/service-kit';
import ipaddr from 'ipaddr.js';

/**
 * The address X-Forwarded-For names when the peer is a trusted proxy (TRUST_PROXY), else the peer's own.
 * The same library and setting as Fastify's trustProxy, so the door and request.ip never disagree.
 */
export function clientAddressOf(trustProxy: string): (request: IncomingMessage) => string {
  const option = trustProxyOption(trustProxy);
  if (option === false) return (request) => request.socket.remoteAddress ?? '';
  const trust = option === true ? () => true : proxyAddr.compile(option);
  return (request) => proxyAddr(request, trust);
}

/**
 * The queue a client waits in: its IPv4 address, or its IPv6 /64. One host is routinely given a whole /64
 * (SLAAC, privacy addresses), so keying by the full IPv6 address would hand a single attacker 2^64 queues.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d, what a dual-stack listener reports) counts as the IPv4 address.
 */
export function admissionKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts;
  return `${parts
    .slice(0, 4)
    .map((part) => part.toString(16))
    .join(':')}::/64`;
}
