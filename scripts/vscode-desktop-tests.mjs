// Runs the in-host suite of scripts/vscode-tests.mjs in desktop VS Code (Electron) through
// @vscode/test-electron, against a real LLM Workbench server on loopback.
//
// test-electron downloads VS Code from update.code.visualstudio.com into .vscode-test/ on the
// first run, so this needs internet, and on Linux a display (run it under xvfb-run on a server).
// VSCODE_EXECUTABLE_PATH uses an installed VS Code instead, and VSCODE_VERSION picks the version
// to download (default: stable).
//
// Usage: node scripts/vscode-desktop-tests.mjs [--keep]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildForTests, TESTS_BUNDLE } from './vscode/build.mjs';
import { startFakeProviders } from './vscode/fake-providers.mjs';
import { stopAllProcesses } from './vscode/processes.mjs';
import { startWorkbenchServer, writeTestConfig } from './vscode/workbench-server.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-desktop-'));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void stopAllProcesses().finally(() => process.exit(130));
  });
}

let failed = true;
let fakeProviders;
try {
  await buildForTests();
  const server = await startWorkbenchServer(path.join(tempDir, 'server'));
  console.log(`LLM Workbench server at ${server.url} (pid ${server.pid})`);

  fakeProviders = await startFakeProviders();
  const configFile = writeTestConfig(tempDir, server, fakeProviders.endpoints);

  const userDataDir = path.join(tempDir, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settings = {
    'llmWorkbench.serverUrl': server.url,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
  };
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings));
  const workspace = path.join(tempDir, 'workspace');
  fs.mkdirSync(workspace);

  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH || undefined,
    version: process.env.VSCODE_VERSION || undefined,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: TESTS_BUNDLE,
    extensionTestsEnv: { LLM_WORKBENCH_TEST_CONFIG: configFile },
    launchArgs: [
      workspace,
      '--disable-extensions',
      `--user-data-dir=${userDataDir}`,
      `--extensions-dir=${path.join(tempDir, 'extensions')}`,
    ],
  });
  failed = false;
} catch (error) {
  // runTests rejects with TestRunFailedError when VS Code exits non-zero. The suite's own
  // `N passed, N failed` line is already in VS Code's output above.
  console.error(error instanceof Error ? error.message : String(error));
} finally {
  await fakeProviders?.close();
  await stopAllProcesses();
}

if (failed || keep) {
  console.log(`Logs and data kept in ${tempDir}`);
} else {
  fs.rmSync(tempDir, { recursive: true, force: true, maxRetries: 5 });
}
process.exitCode = failed ? 1 : 0;
