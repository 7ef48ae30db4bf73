import { AsyncLocalStorage } from 'node:async_hooks';
import mysql2 from 'mysql2';

/** Limits on how long the server waits for MySQL or MariaDB, in milliseconds. */
export interface MysqlTimeouts {
  /** TCP connect plus the MySQL handshake of a new connection (mysql2 `connectTimeout`). */
  connectMs: number;
  /** Wait for a pool connection, the set-up of a new one included (Sequelize `pool.acquire`). */
  acquireMs: number;
  /** One query, from the call until its result arrives. */
  queryMs: number;
}

/**
 * The limits the server uses. A database that stops responding without closing its connections
 * (a frozen server process, a network that drops packets) would otherwise keep a request waiting
 * forever, because TCP reports no error while the peer's kernel still acknowledges the data.
 *
 * The query limit must stay far above normal query times. Requests here take milliseconds, and
 * a page of 200 out of 20,000 datasets with a name search took 50 to 160 ms through the server
 * (`server/src/faults/hangingDatabase.test.ts`, MariaDB 10.11, 2 shared cores). The VS Code
 * extension gives up on a request after 30 s, so the server reports a hung database well before
 * that. A handshake on a working network takes milliseconds, so 5 s leaves room for a slow link.
 */
export const MYSQL_TIMEOUTS: MysqlTimeouts = {
  connectMs: 5_000,
  acquireMs: 10_000,
  queryMs: 10_000,
};

/**
 * Error for a query that got no result within the limit. mysql2 (3.x) marks errors on a
 * connection's socket `fatal` and fails the connection's running and queued commands with them.
 */
export class QueryTimeoutError extends Error {
  /** The code mysql2 gives its own query timeouts. */
  readonly code = 'PROTOCOL_SEQUENCE_TIMEOUT';
  readonly fatal = true;

  constructor(readonly timeoutMs: number) {
    super(`The database sent no result within ${timeoutMs} ms, so the connection was closed.`);
    this.name = 'QueryTimeoutError';
  }
}

const unboundedQueries = new AsyncLocalStorage<true>();
let unboundedRuns = 0;

/**
 * Runs `work` with no query time limit on the queries it makes, for work that may legitimately
 * run long, such as migrations that rebuild a large table. Other queries keep their limit.
 *
 * Running an AsyncLocalStorage turns on Node's promise hooks, which slow down every promise in
 * the process until the storage is disabled, so the last run to end disables it.
 */
export async function withoutQueryTimeout<T>(work: () => Promise<T>): Promise<T> {
  unboundedRuns += 1;
  try {
    return await unboundedQueries.run(true, work);
  } finally {
    unboundedRuns -= 1;
    if (unboundedRuns === 0) {
      unboundedQueries.disable();
    }
  }
}

/** Reports whether the caller runs inside `withoutQueryTimeout`. */
export function queriesUnbounded(): boolean {
  return unboundedQueries.getStore() === true;
}

/** mysql2's Connection, as far as the query limit uses it. */
interface MysqlConnection {
  query(...args: unknown[]): unknown;
  execute(...args: unknown[]): unknown;
  destroy(): void;
  stream: { destroy(error?: Error): void };
}

type QueryMethod = 'query' | 'execute';

/**
 * Returns the mysql2 module for Sequelize's `dialectModule` option. Every connection it creates
 * fails a query that gets no result within `queryMs` with a QueryTimeoutError and closes the
 * connection, so the pool replaces it. Sequelize 6 passes no time limit to mysql2. mysql2's own
 * `timeout` query option would not do: it starts only once the command is sent, does not cover
 * the prepare step of `execute`, and leaves the hung connection in the pool.
 */
export function mysqlModuleWithQueryTimeout(queryMs: number): typeof mysql2 {
  const createConnection = ((...args: Parameters<typeof mysql2.createConnection>) => {
    const connection = mysql2.createConnection(...args);
    const bounded = connection as unknown as MysqlConnection;
    limitQueries(bounded, 'query', queryMs);
    limitQueries(bounded, 'execute', queryMs);
    return connection;
  }) as typeof mysql2.createConnection;
  return { ...mysql2, createConnection };
}

function limitQueries(connection: MysqlConnection, method: QueryMethod, queryMs: number): void {
  const original = connection[method].bind(connection);
  connection[method] = (...args: unknown[]) => {
    // Sequelize always passes a callback last. A call without one streams its result, and its
    // caller has to watch for stalls itself.
    const callbackIndex = args.findLastIndex((arg) => typeof arg === 'function');
    if (callbackIndex === -1 || queriesUnbounded()) {
      return original(...args);
    }
    const callback = args[callbackIndex] as (...results: unknown[]) => void;
    const timer = setTimeout(() => closeHungConnection(connection, queryMs), queryMs);
    args[callbackIndex] = (...results: unknown[]) => {
      clearTimeout(timer);
      callback(...results);
    };
    return original(...args);
  };
}

/**
 * Closes a connection whose query passed the limit and fails its commands. `destroy()` comes
 * first because it sets mysql2's `_closing` flag: Sequelize then drops the connection from the
 * pool without sending QUIT, which would fail on the closed connection. Destroying the socket
 * with the error makes mysql2 pass it to the waiting query's callback.
 *
 * NOTE: a database that is slow rather than hung goes on running the query, because stopping it
 * would need a KILL QUERY sent over another connection.
 */
function closeHungConnection(connection: MysqlConnection, queryMs: number): void {
  connection.destroy();
  connection.stream.destroy(new QueryTimeoutError(queryMs));
}
