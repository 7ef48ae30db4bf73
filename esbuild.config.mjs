// Builds the server, the extension, and the browser bundles (webviews and the admin page).
// Usage: node esbuild.config.mjs [--watch] [--only server,extension,webviews] [--production]
import fs from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';

const args = process.argv.slice(2);
const watch = args.includes('--watch');
const production = args.includes('--production');
const onlyIndex = args.indexOf('--only');
const only = onlyIndex === -1 ? undefined : new Set(args[onlyIndex + 1].split(','));

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'info',
  target: 'es2022',
};

/** Copies static files beside a browser bundle after each build. */
const copyStatic = (files) => ({
  name: 'copy-static',
  setup(build) {
    build.onEnd(async () => {
      for (const [from, to] of files) {
        await fs.mkdir(path.dirname(to), { recursive: true });
        await fs.copyFile(from, to);
      }
    });
  },
});

const targets = {
  server: {
    ...common,
    entryPoints: ['server/src/index.ts'],
    outfile: 'dist/server/index.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Dependencies load from node_modules at run time: sequelize requires its dialect packages
    // by name and sqlite3 and bcrypt are native addons.
    packages: 'external',
  },
  extension: {
    ...common,
    entryPoints: ['extension/src/extension.ts'],
    outfile: 'dist/extension/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // jsonc-parser's `main` is a UMD build that requires its own files at run time, so a bundle
    // cannot resolve them. Its `module` build is plain ESM, which esbuild inlines.
    mainFields: ['module', 'main'],
  },
  webviews: {
    ...common,
    entryPoints: {
      'admin/main': 'webviews/src/admin/main.ts',
      'chat/main': 'webviews/src/chat/main.ts',
      'compare/main': 'webviews/src/compare/main.ts',
      'overview/main': 'webviews/src/overview/main.ts',
      'training-form/main': 'webviews/src/training/form/main.ts',
      'training-monitor/main': 'webviews/src/training/monitor/main.ts',
    },
    outdir: 'dist/webviews',
    platform: 'browser',
    format: 'esm',
    plugins: [
      copyStatic([
        ['webviews/src/admin/index.html', 'dist/webviews/admin/index.html'],
        ['media/icon.png', 'dist/webviews/admin/icon.png'],
      ]),
    ],
  },
};

const selected = Object.entries(targets).filter(([name]) => only === undefined || only.has(name));
if (selected.length === 0) {
  console.error(`--only names no target; use any of ${Object.keys(targets).join(', ')}`);
  process.exit(2);
}

/** Prints the lines the esbuild problem matchers in .vscode/tasks.json wait for. */
const watchMarkers = {
  name: 'watch-markers',
  setup(build) {
    build.onStart(() => console.log('[watch] build started'));
    build.onEnd(() => console.log('[watch] build finished'));
  },
};

if (watch) {
  for (const [, options] of selected) {
    const plugins = [...(options.plugins ?? []), watchMarkers];
    const context = await esbuild.context({ ...options, plugins });
    await context.watch();
  }
} else {
  await Promise.all(selected.map(([, options]) => esbuild.build(options)));
}
