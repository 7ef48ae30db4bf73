// A MariaDB server that stops responding without closing its connections, as a frozen server
// process or a network that drops packets would. The app server reaches MariaDB through a relay
// that stops forwarding but keeps every socket open. Requests that need the database must fail
// with 503 within a bound instead of hanging, and succeed again once the database responds.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { USER_CACHE_TTL_MS } from '../auth/userCache.js';
import { MYSQL_TIMEOUTS } from '../db/mysqlTimeouts.js';
import { TcpRelay } from '../testing/tcpRelay.js';
import { TEST_ADMIN } from '../testing/testServer.js';
import { mariadbInstalled, startMariadb, type MariadbServer } from './mariadbServer.js';
import {
  callJson,
  killHard,
  logInAdmin,
  startServerProcess,
  type ServerProcess,
} from './serverProcess.js';

const DATABASE_NAME = 'lw_test_hanging';
/** The MySQL pool size of the server (`pool.max` in db/connect.ts). */
const POOL_SIZE = 10;

/**
 * Maximum time a request may take to fail while the database hangs: the longest limit in
 * MYSQL_TIMEOUTS plus 5 s for a loaded machine.
 */
const FAIL_WITHIN_MS =
  Math.max(MYSQL_TIMEOUTS.queryMs, MYSQL_TIMEOUTS.acquireMs, MYSQL_TIMEOUTS.connectMs) + 5_000;
/** Maximum time a request that needs no database may take while the database hangs. */
const NO_DATABASE_WITHIN_MS = 2_000;
/** Maximum time the server may take to serve requests again once the database responds. */
const RECOVER_WITHIN_MS = MYSQL_TIMEOUTS.connectMs + 5_000;

/** Delay the relay adds to each chunk it forwards in the slow-database case. */
const SLOW_DELAY_MS = 1_000;
/** Datasets in the large-list case, and the page of 200 that the list request gets. */
const DATASET_COUNT = 20_000;
const DATASET_PAGE = 40;
/** The part of the query limit that the large list may use, so the limit stays far above it. */
const LARGE_LIST_SHARE = 0.25;

interface Timed<T> {
  status: number;
  body: T;
  elapsedMs: number;
}

/** Sends a request like callJson and also returns how long it took. */
async function timedCall<T = ApiErrorBody>(
  url: string,
  method: string,
  urlPath: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Timed<T>> {
  const startedAt = Date.now();
  const response = await callJson<T>(url, method, urlPath, options);
  return { ...response, elapsedMs: Date.now() - startedAt };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe(
  'hanging database (mariadb)',
  { skip: !mariadbInstalled && 'mariadbd is not installed' },
  () => {
    let mariadb: MariadbServer | undefined;
    let relay: TcpRelay | undefined;
    let server: ServerProcess | undefined;
    let dataDir: string;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-hanging-'));
      mariadb = await startMariadb('lw-hanging-db-', DATABASE_NAME);
      relay = await TcpRelay.start(mariadb.port);
      const relayedUrl = new URL(mariadb.url);
      relayedUrl.port = String(relay.port);
      server = await startServerProcess(dataDir, `${relayedUrl.href}/${DATABASE_NAME}`);
    });

    after(async () => {
      relay?.resume();
      if (server !== undefined) {
        await killHard(server);
      }
      await relay?.close();
      mariadb?.stopAndPurge();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    test('large dataset list stays far below the query limit', async (t) => {
      assert.ok(server !== undefined);
      assert.ok(mariadb !== undefined);
      await insertDatasets(mariadb.url, DATASET_COUNT);
      const token = await logInAdmin(server.url);

      // Admins list every user's datasets. The name search and the deep page make the database
      // scan and sort the whole table.
      const list = await timedCall<{ datasets: unknown[]; total: number }>(
        server.url,
        'GET',
        `/api/datasets?q=dataset&page=${DATASET_PAGE}&pageSize=200`,
        { token },
      );
      t.diagnostic(`${DATASET_COUNT} datasets, page ${DATASET_PAGE}: ${list.elapsedMs} ms`);

      assert.equal(list.status, 200, JSON.stringify(list.body));
      assert.equal(list.body.total, DATASET_COUNT);
      assert.equal(list.body.datasets.length, 200);
      assert.ok(
        list.elapsedMs < MYSQL_TIMEOUTS.queryMs * LARGE_LIST_SHARE,
        `listing took ${list.elapsedMs} ms`,
      );
    });

    test('slow database still answers', async (t) => {
      assert.ok(server !== undefined);
      assert.ok(relay !== undefined);
      const { url } = server;
      const token = await logInAdmin(url);
      relay.delay(SLOW_DELAY_MS);
      try {
        // The user cache must have expired, so that the request loads the user again.
        await sleep(USER_CACHE_TTL_MS + 100);
        const me = await timedCall(url, 'GET', '/api/auth/me', { token });
        const prompts = await timedCall(url, 'GET', '/api/prompts', { token });
        t.diagnostic(`slow: /api/auth/me ${me.elapsedMs} ms, /api/prompts ${prompts.elapsedMs} ms`);

        assert.equal(me.status, 200, JSON.stringify(me.body));
        assert.equal(prompts.status, 200, JSON.stringify(prompts.body));
        // A query and its result each cross the relay once.
        assert.ok(me.elapsedMs >= 2 * SLOW_DELAY_MS, `${me.elapsedMs} ms: the relay was bypassed`);
      } finally {
        relay.delay(0);
      }
    });

    // Without the limits the requests would wait for undici's 300 s response timeout.
    test('requests get 503 while it hangs, then recover', { timeout: 120_000 }, async (t) => {
      assert.ok(server !== undefined);
      assert.ok(relay !== undefined);
      const { url } = server;
      const token = await logInAdmin(url);
      // Fill the pool with idle connections, which the hang then leaves open but silent.
      const warm = await Promise.all(
        Array.from({ length: POOL_SIZE }, () => timedCall(url, 'GET', '/api/prompts', { token })),
      );
      assert.deepEqual(
        warm.map((response) => response.status),
        warm.map(() => 200),
      );

      relay.hang();
      await sleep(USER_CACHE_TTL_MS + 100);
      // The first round meets the silent pooled connections; the second needs new connections,
      // whose handshake gets no response.
      for (const round of ['pooled connections', 'new connections']) {
        const during = sendDatabaseRequests(url, token);
        await sleep(200);
        const openapi = await timedCall(url, 'GET', '/api/openapi.json');
        const outcomes = await during;
        t.diagnostic(
          `${round}: ${outcomes.map((outcome) => `${outcome.label} ${outcome.elapsedMs} ms`).join(', ')}; ` +
            `/api/openapi.json ${openapi.elapsedMs} ms`,
        );

        assert.equal(openapi.status, 200);
        assert.ok(
          openapi.elapsedMs < NO_DATABASE_WITHIN_MS,
          `openapi took ${openapi.elapsedMs} ms`,
        );
        for (const outcome of outcomes) {
          assertUnavailable(outcome);
        }
      }
      assert.equal(
        server.child.exitCode,
        null,
        'the server process exited while the database hung',
      );

      relay.resume();
      const resumedAt = Date.now();
      let recovered = await timedCall(url, 'GET', '/api/prompts', { token });
      while (recovered.status !== 200 && Date.now() - resumedAt < RECOVER_WITHIN_MS) {
        await sleep(200);
        recovered = await timedCall(url, 'GET', '/api/prompts', { token });
      }
      const recoveryMs = Date.now() - resumedAt;
      t.diagnostic(`recovered ${recoveryMs} ms after the relay resumed`);

      assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
      const created = await callJson(url, 'POST', '/api/prompts', {
        token,
        body: { name: 'After the hang', content: 'Text.', format: 'custom' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal((await callJson(url, 'GET', '/api/health')).status, 200);
      assert.equal((await callJson(url, 'GET', '/api/auth/me', { token })).status, 200);
      assert.ok((await logInAdmin(url)).length > 0);
      // Connections the server gave up on were closed, not left open beside the pool.
      assert.ok(
        relay.openClientConnections <= POOL_SIZE,
        `${relay.openClientConnections} connections to the database are open`,
      );
      const logged = readLogMessages(path.join(dataDir, 'server.log'));
      assert.ok(logged.includes('database timed out'), logged.join(', '));
      assert.equal(logged.includes('unhandled error'), false, logged.join(', '));
    });
  },
);

interface Outcome extends Timed<ApiErrorBody | HealthBody> {
  label: string;
}

interface HealthBody {
  status: string;
  database: { ok: boolean; error?: string };
}

/**
 * Sends, all at once, requests that each need the database, more of them than the pool has
 * connections.
 */
function sendDatabaseRequests(url: string, token: string): Promise<Outcome[]> {
  const requests: [string, string, { token?: string; body?: unknown }][] = [
    ['GET', '/api/auth/me', { token }],
    ['GET', '/api/health', {}],
    [
      'POST',
      '/api/auth/login',
      { body: { login: TEST_ADMIN.email, password: TEST_ADMIN.password, tokenDelivery: 'body' } },
    ],
    [
      'POST',
      '/api/prompts',
      { token, body: { name: 'During the hang', content: 'Text.', format: 'custom' } },
    ],
    ...Array.from({ length: POOL_SIZE }, (): [string, string, { token: string }] => [
      'GET',
      '/api/prompts',
      { token },
    ]),
  ];
  return Promise.all(
    requests.map(async ([method, urlPath, options]) => ({
      label: `${method} ${urlPath}`,
      ...(await timedCall<ApiErrorBody | HealthBody>(url, method, urlPath, options)),
    })),
  );
}

function assertUnavailable(outcome: Outcome): void {
  const { label, body } = outcome;
  assert.equal(outcome.status, 503, `${label}: ${JSON.stringify(body)}`);
  assert.ok(outcome.elapsedMs < FAIL_WITHIN_MS, `${label} took ${outcome.elapsedMs} ms to fail`);
  if (label === 'GET /api/health') {
    assert.equal((body as HealthBody).database.ok, false, JSON.stringify(body));
    return;
  }
  const error = (body as ApiErrorBody).error;
  assert.equal(error.code, 'database_unavailable', `${label}: ${JSON.stringify(body)}`);
  assert.match(error.message, /^The database (is unavailable|timed out)/, label);
}

/** Returns the `msg` of every line of the server's JSON log. */
function readLogMessages(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => String((JSON.parse(line) as { msg?: unknown }).msg));
}

/** Inserts `count` datasets owned by the test admin straight into MariaDB, 1,000 a statement. */
async function insertDatasets(serverUrl: string, count: number): Promise<void> {
  const connection = await mysql.createConnection(`${serverUrl}/${DATABASE_NAME}`);
  try {
    const [users] = await connection.query<mysql.RowDataPacket[]>(
      'SELECT id FROM users WHERE email = ?',
      [TEST_ADMIN.email],
    );
    const ownerId = users[0]?.id as number;
    const now = new Date();
    for (let first = 0; first < count; first += 1_000) {
      const rows = Array.from({ length: Math.min(1_000, count - first) }, (_, offset) => {
        const index = first + offset;
        const sha256 = index.toString(16).padStart(64, '0');
        return [
          ...[ownerId, `Dataset ${index}`, null, `dataset-${index}.jsonl`, `${sha256}.jsonl`],
          ...[1_000, sha256, 'jsonl', 'alpaca', 10, 10, 0, '{}', now, now],
        ];
      });
      await connection.query(
        'INSERT INTO datasets (owner_id, name, description, original_file_name, stored_file, ' +
          'size_bytes, sha256, file_type, record_schema, record_count, valid_count, ' +
          'invalid_count, report, created_at, updated_at) VALUES ?',
        [rows],
      );
    }
  } finally {
    await connection.end();
  }
}
