// A server in a child process on a given data folder and database, for the fault tests that kill
// it with SIGKILL and start a new one on the same data.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { TEST_ADMIN } from '../testing/testServer.js';

const SERVER_SCRIPT = path.resolve(__dirname, '../testing/trainingServerProcess.ts');

/** A running server process and its base URL. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
}

/**
 * Starts a server process with the test admin, a fast bcrypt cost and loopback providers allowed,
 * and waits until it prints its URL. `env` adds or overrides settings.
 */
export async function startServerProcess(
  dataDir: string,
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      PORT: '0',
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'warn',
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      PROVIDER_PRIVATE_NETWORKS: 'all',
      SERVER_LOG_FILE: path.join(dataDir, 'server.log'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  for await (const line of readline.createInterface({ input: child.stdout ?? process.stdin })) {
    if (line.startsWith('ready ')) {
      return { child, url: line.slice('ready '.length) };
    }
  }
  throw new Error(`The server process exited before it was ready: ${stderr.join('')}`);
}

/** Kills the process with SIGKILL, so it gets no chance to store anything, and waits for it. */
export async function killHard(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}

/** Sends a JSON request to a server process and returns the status and parsed body. */
export async function callJson<T = Record<string, unknown>>(
  url: string,
  method: string,
  urlPath: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${urlPath}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
}

/** Signs in as the test admin and returns the access token. */
export async function logInAdmin(url: string): Promise<string> {
  const response = await callJson<{ accessToken: string }>(url, 'POST', '/api/auth/login', {
    body: { login: TEST_ADMIN.email, password: TEST_ADMIN.password, tokenDelivery: 'body' },
  });
  if (response.status !== 200) {
    throw new Error(`Admin login failed with ${response.status}: ${JSON.stringify(response.body)}`);
  }
  return response.body.accessToken;
}
