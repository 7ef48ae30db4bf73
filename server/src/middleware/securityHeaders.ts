import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import type { Middleware } from 'koa';

/**
 * Sets helmet's security headers on every response. helmet computes them once here, against a
 * stand-in response, because they depend only on the options. Setting the stored list is much
 * cheaper than running helmet's middleware chain per request, which took about a fifth of the
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
  const entries = [...headers];
  return async (ctx, next) => {
    for (const [name, value] of entries) {
      ctx.res.setHeader(name, value);
    }
    await next();
  };
}
