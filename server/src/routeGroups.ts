import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AppContext, AppContextExtras, AppState } from './context.js';
import type { HttpMethod } from './openapi/registry.js';

type GroupRouter = Router<AppState, AppContextExtras>;
type RouteMiddleware = Middleware<AppState, AppContext>;
type GroupMiddleware = ReturnType<GroupRouter['routes']>;

/**
 * Routes kept in one @koa/router per path group: the first two segments of an API path
 * (`/api/chat`) and the first segment of any other path (`/admin`). A request is matched only
 * against its group's routes. One router for all of them tests every route's pattern in turn on
 * each request, which took about a twentieth of the CPU time of `GET /api/auth/me` in a profile.
 */
export class RouteGroups {
  private readonly routers = new Map<string, GroupRouter>();

  /** Adds a route at a @koa/router path whose group segments are literal. */
  route(method: HttpMethod, path: string, ...middleware: RouteMiddleware[]): void {
    const group = groupOf(path);
    if (group.includes(':') || group.includes('*')) {
      throw new Error(`Route path ${path} has a parameter in its group ${group}; use a literal.`);
    }
    let router = this.routers.get(group);
    if (router === undefined) {
      router = new Router<AppState, AppContextExtras>();
      this.routers.set(group, router);
    }
    router[method](path, ...middleware);
  }

  /**
   * Returns the middleware that runs the request's group: its routes, then 405 with `Allow` for a
   * path whose routes take other methods. Call it after every route is added.
   */
  middleware(): Middleware<AppState, AppContextExtras> {
    const groups = new Map<string, GroupMiddleware>();
    for (const [group, router] of this.routers) {
      const routes = router.routes();
      // Without `throw`, the router sets the Allow header on 405 responses; errorHandler then
      // adds the JSON error body.
      const allowedMethods = router.allowedMethods() as GroupMiddleware;
      groups.set(group, async (ctx, next) => {
        await routes(ctx, async () => {
          await allowedMethods(ctx, next);
        });
      });
    }
    const dispatch: Middleware<AppState, AppContextExtras> = async (ctx, next) => {
      const group = groups.get(groupOf(ctx.path));
      if (group === undefined) {
        await next();
      } else {
        // The group's routes add the router fields to the context themselves.
        await group(ctx as Parameters<GroupMiddleware>[0], next);
      }
    };
    // Like @koa/router's own middleware, this one carries what it dispatches to, so tests can
    // list the served routes from the app.
    return Object.assign(dispatch, { routeGroups: this });
  }

  /** Lists every route as its method in upper case and its path, HEAD left out. */
  list(): { method: string; path: string }[] {
    const routes: { method: string; path: string }[] = [];
    for (const router of this.routers.values()) {
      for (const layer of router.stack) {
        for (const method of layer.methods) {
          if (method !== 'HEAD') {
            routes.push({ method, path: String(layer.path) });
          }
        }
      }
    }
    return routes;
  }
}

/**
 * Returns the group of a path, in lower case because @koa/router matches paths without regard
 * to case: `/api/chat/sessions/1` is in `/api/chat`, `/admin/app.js` in `/admin`, `/` in `/`.
 */
export function groupOf(path: string): string {
  const lower = path.toLowerCase();
  const firstEnd = lower.indexOf('/', 1);
  if (firstEnd === -1) {
    return lower;
  }
  const first = lower.slice(0, firstEnd);
  if (first !== '/api') {
    return first;
  }
  const secondEnd = lower.indexOf('/', firstEnd + 1);
  return secondEnd === -1 ? lower : lower.slice(0, secondEnd);
}
