import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Middleware } from 'koa';

/**
 * The headers of API responses: JSON and event streams, which a browser never renders as a page.
 * They forbid loading anything, framing, sniffing another content type and reading the response
 * from another site. The page headers of helmet that only act on documents, such as the
 * cross-origin opener policy or the DNS prefetch switch, are left out. Each header costs time on
 * every response: with none at all, `GET /api/auth/me` served about a third more requests a
 * second in bench/auth.ts.
 */
const API_HEADERS: [string, string][] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-site'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * Sets security headers on every response: helmet's, built from `options`, on pages such as the
 * admin page, and API_HEADERS on paths under `/api/`. helmet computes its headers once here,
 * against a stand-in response, because they depend only on the options. Setting the stored list is
 * much cheaper than running helmet's middleware chain per request, which took about a fifth of the
 * time of an authenticated read in bench/auth.ts.
 */
export function securityHeaders(options: HelmetOptions): Middleware {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, Array.isArray(value) ? value.join(', ') : String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let failure: unknown;
  helmet(options)(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      failure = error;
    },
  );
  if (failure !== undefined) {
    throw failure instanceof Error ? failure : new Error('helmet rejected the header options');
  }
  const pageHeaders = [...headers];
  return async (ctx, next) => {
    // Paths match routes without regard to case, so `/API/...` is an API path too.
    const entries = ctx.path.slice(0, 5).toLowerCase() === '/api/' ? API_HEADERS : pageHeaders;
    for (const [name, value] of entries) {
      ctx.res.setHeader(name, value);
    }
    await next();
  };
}
