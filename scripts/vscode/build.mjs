// Builds what the extension tests load: the server, the extension and the webviews through
// esbuild.config.mjs, and the in-host mocha suite.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The bundle that VS Code loads as extensionTestsPath, which exports `run()`. */
export const TESTS_BUNDLE = path.join(ROOT, 'dist/extension-tests/index.js');

/** The fake OpenAI, Anthropic and Ollama servers, which the test runner starts for the suite. */
export const FAKE_PROVIDERS_BUNDLE = path.join(ROOT, 'dist/extension-tests/fakeProviders.js');

/** Builds every bundle the tests need, and throws when a build fails. */
export async function buildForTests() {
  const result = spawnSync(
    process.execPath,
    ['esbuild.config.mjs', '--only', 'server,extension,webviews'],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`node esbuild.config.mjs failed with exit code ${result.status}`);
  }
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ['extension/src/test/index.ts'],
    outfile: TESTS_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'linked',
    // The extension host provides vscode. mocha is required from node_modules at run time, so the
    // suite uses the installed mocha 11 unchanged, its CommonJS exports included.
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  await esbuild.build({
    absWorkingDir: ROOT,
    stdin: {
      contents: ['openai', 'anthropic', 'ollama']
        .map((kind) => `export * from './server/src/testing/fakeProviders/${kind}.ts';`)
        .join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'fakeProviders.ts',
    },
    outfile: FAKE_PROVIDERS_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
}
