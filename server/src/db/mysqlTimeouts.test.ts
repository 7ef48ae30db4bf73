// The MySQL time limits against the MariaDB server of TEST_MYSQL_URL, reached through a relay that
// can stop forwarding. Run with: bash scripts/with-mariadb.sh node --import tsx --test FILE
// The withoutQueryTimeout cases at the end need no database.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ConnectionError, DatabaseError, type Sequelize } from 'sequelize';
import { createLogger } from '../logger.js';
import { TcpRelay } from '../testing/tcpRelay.js';
import { connectDatabase } from './connect.js';
import {
  QueryTimeoutError,
  queriesUnbounded,
  withoutQueryTimeout,
  type MysqlTimeouts,
} from './mysqlTimeouts.js';

const mysqlServerUrl = process.env.TEST_MYSQL_URL;

/** Short limits, so that each case takes about a second. */
const TIMEOUTS: MysqlTimeouts = { connectMs: 500, acquireMs: 1_500, queryMs: 500 };

/** The MySQL pool size (`pool.max` in db/connect.ts). */
const POOL_SIZE = 10;

/** Time allowed on top of a limit before a failure counts as late, for a loaded machine. */
const SLACK_MS = 1_500;

/** Runs `promise` and returns how it settled and after how many milliseconds. */
async function timed(promise: Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const startedAt = Date.now();
  try {
    await promise;
    return { error: undefined, elapsedMs: Date.now() - startedAt };
  } catch (error) {
    return { error, elapsedMs: Date.now() - startedAt };
  }
}

describe(
  'MySQL time limits',
  { skip: mysqlServerUrl === undefined && 'TEST_MYSQL_URL is not set' },
  () => {
    let relay: TcpRelay;
    let sequelize: Sequelize;

    before(async () => {
      const serverUrl = new URL(mysqlServerUrl ?? '');
      relay = await TcpRelay.start(Number(serverUrl.port));
      serverUrl.port = String(relay.port);
      sequelize = await connectDatabase(serverUrl.href, createLogger('silent'), TIMEOUTS);
    });

    after(async () => {
      relay.resume();
      await sequelize.close();
      await relay.close();
    });

    test('slow query within the limit succeeds', async () => {
      const [rows] = await sequelize.query('SELECT SLEEP(0.2) AS slept');

      assert.deepEqual(rows, [{ slept: 0 }]);
    });

    test('query past the limit fails', async () => {
      const { error, elapsedMs } = await timed(sequelize.query('SELECT SLEEP(3)'));

      assert.ok(error instanceof DatabaseError, `expected DatabaseError, got ${String(error)}`);
      assert.ok(error.parent instanceof QueryTimeoutError, String(error.parent));
      assert.ok(elapsedMs >= TIMEOUTS.queryMs, `failed after ${elapsedMs} ms`);
      assert.ok(elapsedMs < TIMEOUTS.queryMs + SLACK_MS, `failed after ${elapsedMs} ms`);
      const [rows] = await sequelize.query('SELECT 1 AS one');
      assert.deepEqual(rows, [{ one: 1 }]);
    });

    test('withoutQueryTimeout lifts the limit', async () => {
      const [rows] = await withoutQueryTimeout(() => sequelize.query('SELECT SLEEP(1) AS slept'));

      assert.deepEqual(rows, [{ slept: 0 }]);
    });

    test('hung database fails queries, then recovers', async () => {
      await sequelize.query('SELECT 1');
      relay.hang();
      try {
        // Each idle pooled connection is open but gets no response, and the pool drops it. Once
        // none is left, a new connection gets no handshake.
        const single: { error: unknown; elapsedMs: number }[] = [];
        while (single.length <= POOL_SIZE && !(single.at(-1)?.error instanceof ConnectionError)) {
          single.push(await timed(sequelize.query('SELECT 1')));
        }
        const fresh = single.pop();
        assert.ok(fresh?.error instanceof ConnectionError, String(fresh?.error));
        assert.equal((fresh.error.parent as { code?: string }).code, 'ETIMEDOUT');
        assert.ok(fresh.elapsedMs < TIMEOUTS.connectMs + SLACK_MS, `${fresh.elapsedMs} ms`);
        assert.ok(single.length > 0, 'no pooled connection was left to time out');
        for (const pooled of single) {
          assert.ok(pooled.error instanceof DatabaseError, String(pooled.error));
          assert.ok(pooled.error.parent instanceof QueryTimeoutError, String(pooled.error.parent));
          assert.ok(pooled.elapsedMs < TIMEOUTS.queryMs + SLACK_MS, `${pooled.elapsedMs} ms`);
        }

        // More queries at once than the pool has connections, inside and outside transactions.
        const many = await Promise.all(
          Array.from({ length: POOL_SIZE + 2 }, (_, index) =>
            timed(
              index % 2 === 0
                ? sequelize.query('SELECT 1')
                : sequelize.transaction((transaction) =>
                    sequelize.query('SELECT 1', { transaction }),
                  ),
            ),
          ),
        );
        for (const outcome of many) {
          assert.ok(outcome.error instanceof ConnectionError, String(outcome.error));
          assert.ok(outcome.elapsedMs < TIMEOUTS.acquireMs + SLACK_MS, `${outcome.elapsedMs} ms`);
        }
      } finally {
        relay.resume();
      }

      // A connection attempt begun during the hang may still time out and fail the first
      // query that waits for the pool.
      const resumedAt = Date.now();
      let recovered = await timed(sequelize.query('SELECT 1'));
      while (recovered.error !== undefined && Date.now() - resumedAt < TIMEOUTS.connectMs * 2) {
        recovered = await timed(sequelize.query('SELECT 1'));
      }
      assert.equal(recovered.error, undefined);
      assert.ok(relay.openClientConnections <= POOL_SIZE, `${relay.openClientConnections} open`);
    });
  },
);

const PROBE = path.join(__dirname, '..', 'testing', 'fixtures', 'promiseHooksProbe.ts');
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

describe('withoutQueryTimeout', () => {
  test('server start leaves promise hooks off', () => {
    // Migrations run inside withoutQueryTimeout, whose AsyncLocalStorage turns Node's promise
    // hooks on. Left on, they made `await` about three times slower in a loop measured here.
    const output = execFileSync(process.execPath, ['--import', TSX_LOADER, PROBE], {
      encoding: 'utf8',
      timeout: 60_000,
    });

    assert.deepEqual(JSON.parse(output), { before: false, afterStart: false });
  });

  test('overlapping runs keep their store', async () => {
    let release = (): void => undefined;
    const blocker = new Promise<void>((resolve) => {
      release = resolve;
    });
    const long = withoutQueryTimeout(async () => {
      await blocker;
      return queriesUnbounded();
    });
    await withoutQueryTimeout(() => Promise.resolve());
    release();

    assert.equal(await long, true);
    assert.equal(queriesUnbounded(), false);
  });
});
