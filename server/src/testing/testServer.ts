import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import mysql from 'mysql2/promise';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer, type RunningServer } from '../server.js';

/** The admin every test server starts with. */
export const TEST_ADMIN = { email: 'root-admin@example.com', password: 'admin-password-1' };

/**
 * A MySQL server URL without a database (`mysql://user:pass@127.0.0.1:3307`). When it is set,
 * every test server gets a fresh database on it; otherwise a fresh SQLite file.
 */
const mysqlServerUrl = process.env.TEST_MYSQL_URL;

/** The response of a test request: status, headers and the parsed JSON body. */
export interface TestResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  cookie?: string;
  headers?: Record<string, string>;
}

/** A real server on an ephemeral port with its own database and captured log lines. */
export class TestServer {
  private constructor(
    readonly running: RunningServer,
    readonly config: Config,
    private readonly logLines: string[],
    private readonly cleanup: () => Promise<void>,
  ) {}

  /**
   * Starts a server; `env` adds or overrides environment variables for its config. Unless `env`
   * sets PROVIDER_PRIVATE_NETWORKS, it is `all`, because tests point plain users' providers at
   * loopback fakes; tests of the default policy pass `admins`.
   */
  static async start(env: Record<string, string> = {}): Promise<TestServer> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-test-'));
    const database = await createTestDatabase(dataDir);
    const config = loadConfig({
      DATA_DIR: dataDir,
      PORT: '0',
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'debug',
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
      DATABASE_URL: database.url,
      PROVIDER_PRIVATE_NETWORKS: 'all',
      ...env,
    });
    const logLines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((line) => line !== ''),
        );
        callback();
      },
    });
    const running = await startServer(config, createLogger(config.logLevel, sink));
    return new TestServer(running, config, logLines, async () => {
      try {
        await running.close();
      } finally {
        await database.drop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    });
  }

  get url(): string {
    return this.running.url;
  }

  /** Every JSON log line written so far. */
  get log(): readonly string[] {
    return this.logLines;
  }

  async request<T = Record<string, unknown>>(
    method: string,
    urlPath: string,
    options: RequestOptions = {},
  ): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers['Content-Type'] ??= 'application/json';
    }
    if (options.token !== undefined) {
      headers.Authorization = `Bearer ${options.token}`;
    }
    if (options.cookie !== undefined) {
      headers.Cookie = options.cookie;
    }
    const response = await fetch(`${this.url}${urlPath}`, {
      method,
      headers,
      ...(options.body === undefined
        ? {}
        : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const body = (text === '' ? {} : JSON.parse(text)) as T;
    return { status: response.status, headers: response.headers, body };
  }

  /** Registers a user and signs in with body delivery; returns both tokens and the user id. */
  async signUp(nickname: string, password = 'password-123') {
    const email = `${nickname.toLowerCase()}@example.com`;
    const registered = await this.request('POST', '/api/auth/register', {
      body: { email, nickname, password },
    });
    if (registered.status !== 201) {
      throw new Error(`register ${nickname} failed: ${JSON.stringify(registered.body)}`);
    }
    return { ...(await this.logIn(nickname, password)), email, password };
  }

  /** Signs in with body delivery. */
  async logIn(login: string, password: string) {
    const response = await this.request<{
      accessToken: string;
      refreshToken: string;
      user: { id: number };
    }>('POST', '/api/auth/login', { body: { login, password, tokenDelivery: 'body' } });
    if (response.status !== 200) {
      throw new Error(`login ${login} failed: ${JSON.stringify(response.body)}`);
    }
    const { accessToken, refreshToken, user } = response.body;
    return { accessToken, refreshToken, userId: user.id };
  }

  /** Signs in as the configured admin. */
  logInAdmin() {
    return this.logIn(TEST_ADMIN.email, TEST_ADMIN.password);
  }

  close(): Promise<void> {
    return this.cleanup();
  }
}

/** The database dialect the suite runs on, for test names. */
export const testDialect = mysqlServerUrl === undefined ? 'sqlite' : 'mysql';

/**
 * Creates an empty database for one test: a SQLite file URL in `dataDir`, or a new database on
 * the TEST_MYSQL_URL server. `drop` removes the MySQL database; the caller removes `dataDir`.
 */
export async function createTestDatabase(
  dataDir: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  if (mysqlServerUrl === undefined) {
    return {
      url: `sqlite:${path.join(dataDir, 'test.sqlite')}`,
      drop: () => Promise.resolve(),
    };
  }
  const name = `lw_test_${randomBytes(6).toString('hex')}`;
  const admin = await mysql.createConnection(mysqlServerUrl);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    url: `${mysqlServerUrl.replace(/\/$/, '')}/${name}`,
    drop: async () => {
      const connection = await mysql.createConnection(mysqlServerUrl);
      await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await connection.end();
    },
  };
}
