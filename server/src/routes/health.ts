import { z } from 'zod';
import { defineRoute, type RouteTarget } from '../routing.js';

const healthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  database: z.object({ ok: z.boolean(), dialect: z.string(), error: z.string().optional() }),
  version: z.string(),
  uptimeSeconds: z.number(),
});

/** Registers `GET /api/health` and `GET /api/openapi.json`. */
export function registerHealthRoutes(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/health',
      summary: 'Database reachability, version and uptime; 503 when the database is down',
      tag: 'meta',
      access: 'public',
      responses: {
        200: { description: 'Healthy', schema: healthResponse },
        503: { description: 'Database unreachable', schema: healthResponse },
      },
    },
    async (ctx) => {
      const { sequelize, version, startedAt } = ctx.services;
      let error: string | undefined;
      try {
        await sequelize.query('SELECT 1');
      } catch (caught) {
        error = caught instanceof Error ? caught.message : String(caught);
        ctx.state.log.error({ err: caught }, 'health check: database unreachable');
      }
      ctx.status = error === undefined ? 200 : 503;
      ctx.body = {
        status: error === undefined ? 'ok' : 'degraded',
        database: {
          ok: error === undefined,
          dialect: sequelize.getDialect(),
          ...(error === undefined ? {} : { error: 'The database did not answer SELECT 1.' }),
        },
        version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      };
    },
  );

  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This OpenAPI document, built from the schemas that validate requests',
      tag: 'meta',
      access: 'public',
      responses: { 200: { description: 'OpenAPI 3.1 document' } },
    },
    (ctx) => {
      ctx.body = target.registry.document(ctx.services.version);
    },
  );
}
