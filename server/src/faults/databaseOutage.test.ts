// A MariaDB server killed under a running app server and started again: requests must fail fast
// with 503 while it is down and succeed again once it is back, without restarting the app server.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { TEST_ADMIN } from '../testing/testServer.js';
import { mariadbInstalled, startMariadb, type MariadbServer } from './mariadbServer.js';
import {
  callJson,
  killHard,
  logInAdmin,
  startServerProcess,
  type ServerProcess,
} from './serverProcess.js';

const DATABASE_NAME = 'lw_test_outage';
/** The MySQL pool size of the server (`pool.max` in db/connect.ts). */
const POOL_SIZE = 10;

/** Maximum time a request may take to fail while the database is down, in milliseconds. */
const FAIL_WITHIN_MS = 5_000;
/** Maximum time the server may take to serve requests again once the database is back. */
const RECOVER_WITHIN_MS = 15_000;

describe(
  'database outage (mariadb)',
  { skip: !mariadbInstalled && 'mariadbd is not installed' },
  () => {
    let mariadb: MariadbServer | undefined;
    let dataDir: string;
    let server: ServerProcess | undefined;

    before(async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-outage-'));
      mariadb = await startMariadb('lw-outage-db-', DATABASE_NAME);
      server = await startServerProcess(dataDir, `${mariadb.url}/${DATABASE_NAME}`);
    });

    after(async () => {
      if (server !== undefined) {
        await killHard(server);
      }
      mariadb?.stopAndPurge();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** Kills mariadbd with SIGKILL, so the pool's connections break without being closed. */
    const killDatabase = () => {
      assert.ok(mariadb !== undefined);
      const pid = mariadb.pid();
      process.kill(pid, 'SIGKILL');
      return async () => {
        while (fs.existsSync(`/proc/${pid}`) && !isZombie(pid)) {
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
    };

    /** Starts mariadbd again and waits until the app server serves a database read. */
    const restartDatabase = async (url: string, token: string) => {
      mariadb?.script('start');
      const deadline = Date.now() + RECOVER_WITHIN_MS;
      let recovered = await callJson(url, 'GET', '/api/prompts', { token });
      while (recovered.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        recovered = await callJson(url, 'GET', '/api/prompts', { token });
      }
      return recovered;
    };

    /** Sends POOL_SIZE reads at once, enough to use every connection of the pool. */
    const readsAtOnce = (url: string, token: string) =>
      Promise.all(
        Array.from({ length: POOL_SIZE }, () =>
          callJson<ApiErrorBody>(url, 'GET', '/api/prompts', { token }),
        ),
      );

    test('broken pooled connections get 503', async () => {
      assert.ok(server !== undefined);
      const { url } = server;
      const token = await logInAdmin(url);
      const outcomes: string[] = [];
      // Three outages, because whether a request meets a broken connection depends on timing.
      for (let round = 0; round < 3; round += 1) {
        const warm = await readsAtOnce(url, token);
        assert.deepEqual(
          warm.map((response) => response.status),
          warm.map(() => 200),
        );
        const exited = killDatabase();
        const during = await readsAtOnce(url, token);
        outcomes.push(
          ...during.map((response) => `${response.status} ${response.body.error?.code}`),
        );
        await exited();
        assert.equal((await restartDatabase(url, token)).status, 200);
      }
      assert.deepEqual(
        outcomes,
        outcomes.map(() => '503 database_unavailable'),
      );
    });

    test('requests get 503 while down, then recover', async () => {
      assert.ok(server !== undefined);
      const { url } = server;
      const token = await logInAdmin(url);
      const before = await callJson(url, 'GET', '/api/prompts', { token });
      assert.equal(before.status, 200, JSON.stringify(before.body));

      const exited = killDatabase();
      await exited();
      // NOTE: requests that meet a pooled connection broken by the kill may get 500 rather than
      // 503; the test above covers them. These use up such connections first.
      await readsAtOnce(url, token);

      const requests: [string, string, { token?: string; body?: unknown }][] = [
        ['GET', '/api/prompts', { token }],
        ['GET', '/api/chat/sessions', { token }],
        [
          'POST',
          '/api/prompts',
          { token, body: { name: 'During outage', content: 'Text.', format: 'custom' } },
        ],
        [
          'POST',
          '/api/auth/login',
          {
            body: { login: TEST_ADMIN.email, password: TEST_ADMIN.password, tokenDelivery: 'body' },
          },
        ],
      ];
      for (const [method, urlPath, options] of [...requests, ...requests]) {
        const startedAt = Date.now();
        const response = await callJson<ApiErrorBody>(url, method, urlPath, options);
        const elapsedMs = Date.now() - startedAt;
        assert.equal(
          response.status,
          503,
          `${method} ${urlPath}: ${JSON.stringify(response.body)}`,
        );
        assert.equal(response.body.error.code, 'database_unavailable', `${method} ${urlPath}`);
        assert.match(response.body.error.message, /database is unavailable/);
        assert.ok(elapsedMs < FAIL_WITHIN_MS, `${method} ${urlPath} took ${elapsedMs} ms to fail`);
      }
      const health = await callJson(url, 'GET', '/api/health');
      assert.equal(health.status, 503, JSON.stringify(health.body));
      assert.equal(server.child.exitCode, null, 'the server process exited during the outage');

      const recovered = await restartDatabase(url, token);
      assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
      const created = await callJson(url, 'POST', '/api/prompts', {
        token,
        body: { name: 'After outage', content: 'Text.', format: 'custom' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const healthAfter = await callJson(url, 'GET', '/api/health');
      assert.equal(healthAfter.status, 200, JSON.stringify(healthAfter.body));
      assert.ok((await logInAdmin(url)).length > 0);
    });
  },
);

function isZombie(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
}
