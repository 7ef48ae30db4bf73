import type Router from '@koa/router';
import type { Middleware } from 'koa';
import type { z, ZodType } from 'zod';
import { validationError } from './errors.js';
import type { AppContext, AppContextExtras, AppState } from './context.js';
import { authenticate, requireAdmin } from './middleware/authenticate.js';
import type { ApiRegistry, RouteSpec } from './openapi/registry.js';

export type ApiRouter = Router<AppState, AppContextExtras>;

type Parsed<T extends ZodType | undefined> = T extends ZodType ? z.output<T> : undefined;

/** The validated parts of a request, typed by the route's schemas. */
export interface RouteInput<
  P extends ZodType | undefined,
  Q extends ZodType | undefined,
  B extends ZodType | undefined,
> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

export interface TypedRouteSpec<
  P extends ZodType | undefined,
  Q extends ZodType | undefined,
  B extends ZodType | undefined,
> extends Omit<RouteSpec, 'params' | 'query' | 'body'> {
  params?: P;
  query?: Q;
  body?: B;
}

/** Services a route file needs to register its routes. */
export interface RouteTarget {
  router: ApiRouter;
  registry: ApiRegistry;
}

/**
 * Registers a route: authentication for its access level, then validation of params, query and
 * body with the spec's zod schemas (a ZodError becomes a 400 naming the field), then the handler.
 * The spec is also added to the OpenAPI registry, so the document is built from the same schemas.
 */
export function defineRoute<
  P extends ZodType | undefined = undefined,
  Q extends ZodType | undefined = undefined,
  B extends ZodType | undefined = undefined,
>(
  target: RouteTarget,
  spec: TypedRouteSpec<P, Q, B>,
  handler: (ctx: AppContext, input: RouteInput<P, Q, B>) => void | Promise<void>,
): void {
  target.registry.add(spec);
  const chain: Middleware<AppState, AppContext>[] = [];
  if (spec.access !== 'public') {
    chain.push(authenticate);
  }
  if (spec.access === 'admin') {
    chain.push(requireAdmin);
  }
  chain.push(async (ctx) => {
    const input = {
      params: parsePart(spec.params, ctx.params, 'path'),
      query: parsePart(spec.query, ctx.query, 'query'),
      body: parsePart(spec.body, (ctx.request as { body?: unknown }).body ?? {}, 'body'),
    } as RouteInput<P, Q, B>;
    await handler(ctx, input);
  });
  target.router[spec.method](spec.path, ...chain);
}

function parsePart(schema: ZodType | undefined, value: unknown, location: string): unknown {
  if (schema === undefined) {
    return undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw validationError(location, result.error);
  }
  return result.data;
}
