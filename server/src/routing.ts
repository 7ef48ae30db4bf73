import type { Middleware } from 'koa';
import { z, type ZodType } from 'zod';
import { invalidFields, unsupportedMediaType, validationError } from './errors.js';
import type { AppContext, AppState } from './context.js';
import { authenticate, requireAdmin } from './middleware/authenticate.js';
import type { ApiRegistry, RouteSpec } from './openapi/registry.js';
import type { RouteGroups } from './routeGroups.js';
import { findQueryNameProblem } from './validation/query.js';
import { findTextProblem } from './validation/requestText.js';
// Installs the API's wording for zod's default messages before any schema is used.
import './validation/zodMessages.js';

/** The query schema of a route that declares none. */
const NO_QUERY_PARAMETERS = z.object({});

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
  router: RouteGroups;
  registry: ApiRegistry;
}

/**
 * Registers a route: authentication for its access level, then validation of params, query and
 * body (a problem becomes a 400 naming the field), then the handler. Before the spec's zod
 * schemas run, each part that has a schema is checked for what no route accepts. These are
 * control characters and unpaired surrogates in any string, unknown or repeated query
 * parameters, and a body whose Content-Type is not JSON (415). A route without a query schema
 * rejects every query parameter. The spec is also added to the OpenAPI registry, so the document
 * is built from the same schemas.
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
      params: parseParams(spec.params, ctx.params),
      query: parseQuery(spec.query, ctx.query),
      body: parseBody(spec.body, ctx),
    } as RouteInput<P, Q, B>;
    await handler(ctx, input);
  });
  target.router.route(spec.method, spec.path, ...chain);
}

function parseParams(schema: ZodType | undefined, params: Record<string, string>): unknown {
  if (schema === undefined) {
    return undefined;
  }
  rejectTextProblem('path', params, { allowLineBreaks: false });
  return parsePart(schema, params, 'path');
}

function parseQuery(schema: ZodType | undefined, query: AppContext['query']): unknown {
  // A route without a query schema accepts no parameters, so a misspelled or misplaced one is
  // reported instead of silently ignored.
  const nameProblem = findQueryNameProblem(schema ?? NO_QUERY_PARAMETERS, query);
  if (nameProblem !== undefined) {
    throw invalidFields('query', [nameProblem]);
  }
  if (schema === undefined) {
    return undefined;
  }
  rejectTextProblem('query', query, { allowLineBreaks: false });
  return parsePart(schema, query, 'query');
}

function parseBody(schema: ZodType | undefined, ctx: AppContext): unknown {
  if (schema === undefined) {
    return undefined;
  }
  if (hasNonJsonBody(ctx)) {
    throw unsupportedMediaType();
  }
  const body = (ctx.request as { body?: unknown }).body ?? {};
  // Body fields may be free text, so line breaks and tabs pass here; single-line fields reject
  // them in their own schemas.
  rejectTextProblem('body', body, { allowLineBreaks: true });
  return parsePart(schema, body, 'body');
}

/**
 * Reports whether the request has a body that the JSON body parser left unread because its
 * Content-Type is not JSON. Without this check such a body would look like `{}`, and the error
 * message would report every field as missing.
 */
function hasNonJsonBody(ctx: AppContext): boolean {
  const length = ctx.get('Content-Length');
  const hasBody = ctx.get('Transfer-Encoding') !== '' || (length !== '' && length !== '0');
  return hasBody && ctx.request.is('application/json', '+json') === false;
}

function rejectTextProblem(
  location: string,
  value: unknown,
  options: { allowLineBreaks: boolean },
): void {
  const problem = findTextProblem(value, options);
  if (problem !== undefined) {
    throw invalidFields(location, [problem]);
  }
}

function parsePart(schema: ZodType, value: unknown, location: string): unknown {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw validationError(location, result.error);
  }
  return result.data;
}
