// Runs the extension's tests in a real VS Code: code-server 4.139 (VS Code 1.139 with a Node
// extension host, installed by scripts/setup-code-server.sh) driven by Debian's chromium through
// playwright-core, against a real LLM Workbench server on loopback.
//
// 1. Builds the server, the extension, the webviews and the in-host suite.
// 2. Starts the server with SQLite in a temporary DATA_DIR and a known admin account.
// 3. Runs the mocha suite in extension/src/test inside the extension host.
// 4. Runs the Playwright UI test (scripts/vscode/ui-test.mjs) in a fresh code-server.
// Ends with one `N passed, N failed` line for both parts, and exits 1 when anything failed.
//
// Usage: node scripts/vscode-tests.mjs [--only host|ui] [--no-build] [--keep]
//   --keep keeps the temporary folder with the server, code-server and browser data and logs;
//   it is kept anyway when a test fails. VERBOSE=1 prints the workbench's own log lines too.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildForTests, TESTS_BUNDLE } from './vscode/build.mjs';
import { startFakeProviders } from './vscode/fake-providers.mjs';
import { runHostTests } from './vscode/host-tests.mjs';
import { runUiTest } from './vscode/ui-test.mjs';
import { stopAllProcesses } from './vscode/processes.mjs';
import { startWorkbenchServer, TEST_ADMIN, writeTestConfig } from './vscode/workbench-server.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex === -1 ? undefined : args[onlyIndex + 1];
if (only !== undefined && only !== 'host' && only !== 'ui') {
  console.error(`--only takes host or ui, not ${only}`);
  process.exit(2);
}
// Installs code-server on the first run; the script returns at once when it is installed.
const setup = spawnSync('bash', [path.join(ROOT, 'scripts/setup-code-server.sh')], {
  stdio: 'inherit',
});
if (setup.status !== 0) {
  console.error('Installing code-server failed; see scripts/setup-code-server.sh above.');
  process.exit(1);
}

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-vscode-'));
const workspace = path.join(tempDir, 'workspace');
fs.mkdirSync(workspace);
fs.writeFileSync(path.join(workspace, 'README.md'), '# Workspace of the extension tests\n');

// The children run in their own process groups, so a Ctrl+C in the terminal reaches only this
// script, which stops them.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`${signal} received; stopping the test processes. Logs: ${tempDir}`);
    void stopAllProcesses().finally(() => process.exit(130));
  });
}

const results = [];
let fakeProviders;
try {
  if (!args.includes('--no-build')) {
    await buildForTests();
    console.log(`[${elapsed()}] built the server, extension, webviews and in-host suite`);
  }
  const server = await startWorkbenchServer(path.join(tempDir, 'server'));
  console.log(`[${elapsed()}] LLM Workbench server at ${server.url} (pid ${server.pid})`);
  const settings = { 'llmWorkbench.serverUrl': server.url };

  if (only !== 'ui') {
    fakeProviders = await startFakeProviders();
    const configFile = writeTestConfig(tempDir, server, fakeProviders.endpoints);
    console.log(`\n=== in-host tests (code-server, Node extension host)`);
    const host = await runHostTests({
      dir: path.join(tempDir, 'host'),
      root: ROOT,
      testsBundle: TESTS_BUNDLE,
      workspace,
      settings,
      env: { LLM_WORKBENCH_TEST_CONFIG: configFile },
      timeoutMs: 90_000,
      verbose: process.env.VERBOSE === '1',
    });
    if (host.exitCode !== 0 && host.failed === 0) {
      host.failed = 1;
    }
    console.log(
      `[${elapsed()}] in-host tests: ${host.passed} passing, ${host.failed} failing, ` +
        `exit code ${host.exitCode}`,
    );
    results.push(host);
  }

  if (only !== 'host') {
    console.log(`\n=== UI test (code-server, playwright-core, chromium)`);
    // The UI test checks the empty views, so it gets a server of its own that the in-host
    // suites have not filled with providers and datasets.
    const uiServer =
      only === 'ui' ? server : await startWorkbenchServer(path.join(tempDir, 'ui-server'));
    const screenshotsDir = path.join(ROOT, 'test-results/screenshots');
    const ui = await runUiTest({
      dir: path.join(tempDir, 'ui'),
      root: ROOT,
      workspace,
      settings: { 'llmWorkbench.serverUrl': uiServer.url },
      server: {
        url: uiServer.url,
        login: TEST_ADMIN.email,
        password: TEST_ADMIN.password,
        nickname: TEST_ADMIN.nickname,
      },
      screenshotsDir,
    });
    console.log(
      `[${elapsed()}] UI test: ${ui.passed} passing, ${ui.failed} failing; screenshots in ` +
        `${path.relative(ROOT, screenshotsDir)}/`,
    );
    results.push(ui);
  }
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  results.push({ passed: 0, failed: 1 });
} finally {
  await fakeProviders?.close();
  await stopAllProcesses();
}

const passed = results.reduce((sum, result) => sum + result.passed, 0);
const failed = results.reduce((sum, result) => sum + result.failed, 0);
console.log(`\nVS Code tests finished in ${elapsed()}`);
if (failed > 0 || args.includes('--keep')) {
  console.log(`Logs and data kept in ${tempDir}`);
} else {
  fs.rmSync(tempDir, { recursive: true, force: true, maxRetries: 5 });
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
