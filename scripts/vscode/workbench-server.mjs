// Starts the built LLM Workbench server (dist/server/index.js) for the extension tests: SQLite in
// a temporary DATA_DIR, a port the OS picks on 127.0.0.1, and a known admin account.
import fs from 'node:fs';
import path from 'node:path';
import { startProcess } from './processes.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The admin account the server creates on its first start. */
export const TEST_ADMIN = {
  email: 'admin@tests.llm-workbench.local',
  nickname: 'admin',
  password: 'extension-tests-password',
};

/**
 * Starts the server with its data in `dir`. The JSON log (one line per request, with its "path")
 * goes to `server.log` there. Resolves with the URL, the log path and `stop()`.
 */
export async function startWorkbenchServer(dir) {
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  fs.mkdirSync(dataDir, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    BCRYPT_ROUNDS: '4',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    // Plain users add providers on the loopback fakes, which the default policy keeps for admins.
    PROVIDER_PRIVATE_NETWORKS: 'all',
  };
  // The working directory is `dir`, so a developer's .env in the repository is not read.
  const server = await startProcess({
    name: 'LLM Workbench server',
    command: process.execPath,
    args: [path.join(ROOT, 'dist/server/index.js')],
    cwd: dir,
    env,
    logFile,
    // index.js prints this line on stderr once the server listens.
    ready: /LLM Workbench server at (http:\/\/\S+)/,
    timeoutMs: 30_000,
  });
  return { url: server.match[1], logFile, pid: server.pid, stop: server.stop };
}

/**
 * Writes the file the in-host suite reads through LLM_WORKBENCH_TEST_CONFIG: the server URL, its
 * log, the admin's credentials and the base URL and key of each fake provider in `providers`.
 * Returns the file's path.
 */
export function writeTestConfig(dir, server, providers = {}) {
  const file = path.join(dir, 'test-config.json');
  const config = {
    serverUrl: server.url,
    serverLog: server.logFile,
    login: TEST_ADMIN.email,
    password: TEST_ADMIN.password,
    nickname: TEST_ADMIN.nickname,
    providers,
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}
