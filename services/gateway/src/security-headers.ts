/** Helmet's options: the security headers of every gateway answer (the web client, its files, /api, /ws). */
import type { FastifyHelmetOptions } from '@fastify/helmet';

/**
 * The socket's own address, for browsers that do not count ws:/wss: as 'self' (CSP 3 says they should; older
 * Safari does not). The allowed origins are the pages this gateway serves, so their ws: twins are its socket.
 */
function socketOrigins(allowedOrigins: Iterable<string>): string[] {
  return [...allowedOrigins].map((origin) => origin.replace(/^http(s?):/, 'ws$1:'));
}

export function securityHeaders(allowedOrigins: Iterable<string>): FastifyHelmetOptions {
  return {
    contentSecurityPolicy: {
      // Helmet's defaults allow inline styles and any https: style or font; the client needs neither: its
      // one script and one stylesheet are files of its own, and Lit adopts component styles as constructable
      // stylesheets, which style-src does not restrict.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // index.html's `<link rel="icon" href="data:,">` keeps browsers from asking for /favicon.ico.
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", ...socketOrigins(allowedOrigins)],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // No upgrade-insecure-requests: over plain HTTP (npm start, tests) it would send the client's own
        // files and /ws to an https: or wss: address nobody listens on.
      },
    },
    // frame-ancestors for browsers that predate it.
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS off: the gateway speaks plain HTTP, and a browser honours the header only when it arrives over
    // HTTPS, that is from the proxy that ends TLS in front of the gateway. That proxy knows whether every
    // port and subdomain of the host is HTTPS for good (what the header promises for a year), so it is
    // the one to send it (docs/operations.md, "Security headers").
    strictTransportSecurity: false,
  };
}
