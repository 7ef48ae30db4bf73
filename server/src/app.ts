import fs from 'node:fs';
import path from 'node:path';
import cors from '@koa/cors';
import Koa from 'koa';
import type { AppContextExtras, AppServices, AppState } from './context.js';
import { isStreamedUpload } from './datasets/uploadRoutes.js';
import { errorHandler } from './middleware/errorHandler.js';
import { jsonBody } from './middleware/jsonBody.js';
import { requestContext } from './middleware/requestContext.js';
import { securityHeaders } from './middleware/securityHeaders.js';
import { ApiRegistry } from './openapi/registry.js';
import { RouteGroups } from './routeGroups.js';
import { registerAdminAuditRoutes } from './routes/adminAudit.js';
import { registerAdminPage } from './routes/adminPage.js';
import { registerAdminUsageRoutes } from './routes/adminUsage.js';
import { registerAdminUserRoutes } from './routes/adminUsers.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerChatRoutes } from './routes/chat.js';
import { registerCompareRoutes } from './routes/compare.js';
import { registerDatasetRoutes } from './routes/datasets.js';
import { registerGpuHostRoutes } from './routes/gpuHosts.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerModelConfigRoutes } from './routes/modelConfigs.js';
import { registerPromptRoutes } from './routes/prompts.js';
import { registerProviderRoutes } from './routes/providers.js';
import { registerTrainingTaskRoutes } from './routes/trainingTasks.js';

/** JSON bodies above this size (1 MiB) get 413; uploads have their own limit. */
const JSON_BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the Koa application: middleware in order, then every router. */
export function createApp(services: AppServices): Koa<AppState, AppContextExtras> {
  const app = new Koa<AppState, AppContextExtras>();
  app.context.services = services;
  app.silent = true;
  if (services.config.trustProxy) {
    // Behind a proxy, ctx.ip and ctx.protocol come from X-Forwarded-For and X-Forwarded-Proto.
    // Only the last X-Forwarded-For entry, the one the nearest proxy appended, is used: a client
    // can put any address in front of it.
    app.proxy = true;
    app.maxIpsCount = 1;
  }

  app.use(requestContext);
  app.use(errorHandler);
  app.use(
    securityHeaders({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          // The server often runs on plain http on loopback; upgrading would break the page.
          upgradeInsecureRequests: null,
        },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  app.use(corsFor(services.config.corsOrigins));
  app.use(jsonBody({ limitBytes: JSON_BODY_LIMIT_BYTES, skip: isStreamedUpload }));

  const router = new RouteGroups();
  const registry = new ApiRegistry();
  const target = { router, registry };
  registerHealthRoutes(target);
  registerAuthRoutes(target);
  registerAdminUserRoutes(target);
  registerAdminAuditRoutes(target);
  registerAdminUsageRoutes(target);
  registerProviderRoutes(target);
  registerModelConfigRoutes(target);
  registerDatasetRoutes(target);
  registerChatRoutes(target);
  registerCompareRoutes(target);
  registerGpuHostRoutes(target);
  registerTrainingTaskRoutes(target);
  registerPromptRoutes(target);
  registerAdminPage(router, adminAssetsDir());

  app.use(router.middleware());
  return app;
}

function corsFor(origins: string[]) {
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    credentials: true,
    // Upload-Offset, Upload-Length and Range carry a resumable upload's state.
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'Upload-Offset', 'Upload-Length', 'Range'],
    // Content-Range places a chunk of a resumable upload.
    allowHeaders: ['Authorization', 'Content-Type', 'Content-Range', 'X-Request-Id'],
    maxAge: 600,
  });
}

/** Finds the built admin page: `dist/webviews/admin` at the package root. */
function adminAssetsDir(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  return path.join(dir, 'dist', 'webviews', 'admin');
}
