import fs from 'node:fs/promises';
import path from 'node:path';
import type { RouteGroups } from '../routeGroups.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
};

const ASSET_NAME = /^[A-Za-z0-9_-]+\.(?:js|css|map|png)$/;

/**
 * Serves the admin page at `/admin/` from the built assets. Only flat file names from the build
 * are served, so no request path can reach outside the folder. The page, its script and its API
 * calls use relative URLs, and so do the redirects to it, so the page also works behind a proxy
 * that serves the server under a path prefix (code-server's `/proxy/<port>/`).
 */
export function registerAdminPage(router: RouteGroups, assetsDir: string): void {
  router.route('get', '/', (ctx) => {
    ctx.redirect('admin/');
  });
  router.route('get', '/admin', async (ctx) => {
    if (!ctx.path.endsWith('/')) {
      ctx.redirect('admin/');
      return;
    }
    await sendAsset(ctx, assetsDir, 'index.html');
  });
  router.route('get', '/admin/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    if (!ASSET_NAME.test(file)) {
      ctx.status = 404;
      ctx.body = 'Not found';
      return;
    }
    await sendAsset(ctx, assetsDir, file);
  });
}

async function sendAsset(
  ctx: { status: number; body: unknown; type: string; set(name: string, value: string): void },
  assetsDir: string,
  file: string,
): Promise<void> {
  try {
    ctx.body = await fs.readFile(path.join(assetsDir, file));
  } catch {
    ctx.status = 404;
    ctx.body =
      file === 'index.html' ? 'The admin page is not built yet; run npm run build.' : 'Not found';
    return;
  }
  ctx.type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  ctx.set('Cache-Control', file === 'index.html' ? 'no-cache' : 'public, max-age=300');
}
