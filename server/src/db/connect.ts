import fs from 'node:fs';
import path from 'node:path';
import { Sequelize, TimeoutError, Transaction, type Options } from 'sequelize';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';
import {
  MYSQL_TIMEOUTS,
  mysqlModuleWithQueryTimeout,
  type MysqlTimeouts,
} from './mysqlTimeouts.js';

/**
 * Opens a Sequelize connection for a `sqlite:<file>` or `mysql://` URL. SQLite runs in WAL mode
 * with a busy timeout, so readers do not block the single writer. MySQL connects, waits for a
 * pool connection and runs each query within `mysqlTimeouts`, so a database that stops responding
 * fails requests instead of holding them.
 */
export async function connectDatabase(
  url: string,
  logger: Logger,
  mysqlTimeouts: MysqlTimeouts = MYSQL_TIMEOUTS,
): Promise<Sequelize> {
  const common: Options = {
    logging: (sql) => logger.trace({ sql }, 'sql'),
    define: { underscored: true },
  };
  let sequelize: Sequelize;
  let openedConnections: (() => number) | undefined;
  let storage: string | undefined;
  if (url.startsWith('sqlite:')) {
    storage = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (storage === '') {
      throw new ConfigError('DATABASE_URL=sqlite: names no file; use sqlite:/path/to/file.sqlite');
    }
    prepareSqliteFile(url, storage);
    sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage,
      // IMMEDIATE takes the write lock at BEGIN, so two writing transactions queue instead of
      // failing with SQLITE_BUSY when one upgrades a read lock.
      transactionType: Transaction.TYPES.IMMEDIATE,
      // Sequelize 6 runs a query that failed with SQLITE_BUSY up to 5 times by default. Each try
      // already waits the busy timeout, so a locked database would hold a request for 25 s.
      retry: { max: 1 },
    });
    openedConnections = tuneSqliteConnections(sequelize);
  } else {
    sequelize = new Sequelize(url, {
      ...common,
      dialect: 'mysql',
      dialectModule: mysqlModuleWithQueryTimeout(mysqlTimeouts.queryMs),
      pool: { max: 10, min: 0, idle: 10_000, acquire: mysqlTimeouts.acquireMs },
      dialectOptions: { charset: 'utf8mb4', connectTimeout: mysqlTimeouts.connectMs },
      timezone: '+00:00',
    });
  }
  try {
    await sequelize.authenticate();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    // node-sqlite3 (6.0) never calls the close callback of a database that failed to open, so
    // closing would wait forever. With nothing else pending, Node would then exit with status 0
    // and no message.
    if (openedConnections === undefined || openedConnections() > 0) {
      await sequelize.close().catch(() => undefined);
    }
    const hint =
      openedConnections === undefined
        ? 'Check DATABASE_URL and that the database server is running.'
        : 'Check that DATABASE_URL names a SQLite database file that this user can read and write.';
    throw new ConfigError(`Cannot open the database at ${redactUrl(url)}: ${reason}. ${hint}`);
  }
  if (storage !== undefined) {
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query('PRAGMA synchronous = NORMAL');
    await sequelize.query('PRAGMA foreign_keys = ON');
    restrictSqliteFiles(storage, logger);
  }
  return sequelize;
}

/** SQLite's in-memory database names; they have no file to prepare or protect. */
function isInMemory(storage: string): boolean {
  return storage === ':memory:' || storage.startsWith('file::memory:');
}

/**
 * Checks that SQLite can create and write the database file and its `-wal` and `-shm` files,
 * so that a folder this user cannot write to is reported by name, and creates a missing database
 * file readable only by its owner. SQLite gives the `-wal` and `-shm` files the permissions of
 * the database file.
 */
function prepareSqliteFile(url: string, storage: string): void {
  if (isInMemory(storage)) {
    return;
  }
  const file = path.resolve(storage);
  const folder = path.dirname(file);
  try {
    fs.mkdirSync(folder, { recursive: true });
    fs.accessSync(folder, fs.constants.W_OK);
  } catch (error) {
    throw new ConfigError(
      `DATABASE_URL=${url}: the folder ${folder} is not writable by this user ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)}); SQLite creates the database ` +
        'and its -wal and -shm files there. Point DATABASE_URL at a file in a writable folder, ' +
        'or change the folder permissions.',
    );
  }
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
  } catch (error) {
    throw new ConfigError(
      `DATABASE_URL=${url}: the database file ${file} cannot be opened for reading and writing ` +
        `(${(error as NodeJS.ErrnoException).code ?? String(error)}). Point DATABASE_URL at a ` +
        'file this user may read and write.',
    );
  }
}

/**
 * Sets the database file and its `-wal` and `-shm` files to mode 0600, because they hold
 * password hashes and encrypted keys. This tightens files that an older version created
 * readable by every local user. A file owned by another user cannot be changed; that is logged.
 */
function restrictSqliteFiles(storage: string, logger: Logger): void {
  if (isInMemory(storage)) {
    return;
  }
  for (const file of [storage, `${storage}-wal`, `${storage}-shm`]) {
    try {
      fs.chmodSync(file, 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn({ err: error, file }, 'could not restrict the database file to its owner');
      }
    }
  }
}

/** Replaces the password in a database URL so it can be shown in messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

/** How long a SQLite write waits for another connection's write lock before SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/** Reports whether a query failed because another connection held SQLite's write lock too long. */
export function isSqliteBusy(error: unknown): boolean {
  return (
    error instanceof TimeoutError && (error.parent as { code?: unknown }).code === 'SQLITE_BUSY'
  );
}

type SqliteCallback = (this: unknown, error: Error | null, rows?: unknown) => void;

interface SqliteConnection {
  configure(option: 'busyTimeout', milliseconds: number): void;
  run(sql: string, ...rest: unknown[]): unknown;
  all(sql: string, ...rest: unknown[]): unknown;
  exec(sql: string, ...rest: unknown[]): unknown;
  serialize(): void;
  /** The transaction id Sequelize sets while a transaction uses the connection. */
  uuid?: string;
}

/** The parts of Sequelize's SQLite connection manager that are wrapped here. */
interface SqliteConnectionManager {
  /** Open connections by key: `default`, a transaction id, or an idle key set here. */
  connections: Record<string, SqliteConnection | undefined>;
  getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
  releaseConnection(connection: SqliteConnection, force?: boolean): void;
}

/**
 * Transaction connections kept open for the next transaction. This process runs its SQLite
 * transactions one at a time (see runTransaction), so one would do. The second is for a
 * transaction that Sequelize starts outside that queue.
 */
const IDLE_TRANSACTION_CONNECTIONS = 2;

/**
 * Wraps Sequelize's SQLite connection manager. Sequelize opens a separate sqlite3 connection for
 * each transaction and sets no busy timeout on it, so a second writer would fail at once with
 * SQLITE_BUSY: every connection gets the timeout here. Opening a connection also costs a file
 * open and two PRAGMAs per transaction, so a connection released after its transaction committed
 * or rolled back is kept for the next one. Sequelize destroys, rather than releases, a connection
 * whose COMMIT or ROLLBACK failed, so no kept connection is inside a transaction. The kept ones
 * stay in the manager's list, so closing Sequelize closes them too. Returns a function that
 * counts the connections opened so far.
 */
function tuneSqliteConnections(sequelize: Sequelize): () => number {
  const manager = sequelize.connectionManager as unknown as SqliteConnectionManager;
  const open = manager.getConnection.bind(manager);
  const release = manager.releaseConnection.bind(manager);
  const configured = new WeakSet<SqliteConnection>();
  const tableInfo = new TableInfoCache();
  const idleKeys: string[] = [];
  let idleCount = 0;
  let opened = 0;
  manager.getConnection = async (options) => {
    const uuid = options?.uuid;
    const isNewTransaction =
      uuid !== undefined && uuid !== 'default' && manager.connections[uuid] === undefined;
    const idleKey = isNewTransaction ? idleKeys.pop() : undefined;
    const idle = idleKey === undefined ? undefined : manager.connections[idleKey];
    if (idleKey !== undefined && idle !== undefined && uuid !== undefined) {
      delete manager.connections[idleKey];
      manager.connections[uuid] = idle;
      return idle;
    }
    const connection = await open(options);
    opened += 1;
    if (!configured.has(connection)) {
      configured.add(connection);
      tableInfo.attach(connection);
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      // `synchronous` is per connection. Left at FULL, every transaction's commit waits for an
      // fsync; with WAL, NORMAL keeps the database consistent and loses at most the last commits
      // on a power failure.
      await new Promise<void>((resolve, reject) => {
        connection.run('PRAGMA synchronous = NORMAL', (error: Error | null) =>
          error ? reject(error) : resolve(),
        );
      });
      // Serialized, a connection hands libuv one statement at a time. In the default parallel
      // mode every queued statement takes a worker thread and blocks it on the connection's
      // mutex. A write waiting on the busy timeout then lets reads queued behind it fill all four
      // threads, and the transaction that holds the write lock cannot commit until the wait ends.
      // This comes last, because node-sqlite3 (6.0) never runs a statement queued after a
      // `configure` call made in serialized mode.
      connection.serialize();
    }
    return connection;
  };
  manager.releaseConnection = (connection, force) => {
    const uuid = connection.uuid;
    const keep =
      uuid !== undefined &&
      force !== true &&
      idleKeys.length < IDLE_TRANSACTION_CONNECTIONS &&
      manager.connections[uuid] === connection;
    if (!keep) {
      release(connection, force);
      return;
    }
    delete manager.connections[uuid];
    idleCount += 1;
    const idleKey = `idle-${idleCount}`;
    manager.connections[idleKey] = connection;
    idleKeys.push(idleKey);
  };
  return () => opened;
}

/** Matches statements that change a table's columns. */
const SCHEMA_CHANGE = /^\s*(CREATE|ALTER|DROP)\b/i;

/**
 * Serves Sequelize's `PRAGMA table_info` lookups from memory. Before every SELECT, Sequelize's
 * SQLite dialect reads the column types of each table it names, one extra statement per table per
 * query. The columns change only through CREATE, ALTER or DROP, so the cache is emptied whenever
 * one of those runs on any connection of this Sequelize instance.
 * NOTE: a schema change made by another process, such as a newer server migrating the same file,
 * is not seen until restart. The server migrates before it serves, so this needs two versions
 * running at once on one database.
 */
class TableInfoCache {
  private readonly rows = new Map<string, unknown>();

  /** Wraps the connection's statement methods to serve and invalidate the cache. */
  attach(connection: SqliteConnection): void {
    const all = connection.all.bind(connection);
    const run = connection.run.bind(connection);
    const exec = connection.exec.bind(connection);
    connection.all = (sql, ...rest) => {
      // Sequelize's own lookup is lowercase and passes only a callback that ignores `this`.
      const callback = rest[0];
      if (
        sql.startsWith('PRAGMA table_info(') &&
        rest.length === 1 &&
        typeof callback === 'function'
      ) {
        return this.lookup(sql, all, callback as SqliteCallback);
      }
      this.forgetOnSchemaChange(sql);
      return all(sql, ...rest);
    };
    connection.run = (sql, ...rest) => {
      this.forgetOnSchemaChange(sql);
      return run(sql, ...rest);
    };
    connection.exec = (sql, ...rest) => {
      this.forgetOnSchemaChange(sql);
      return exec(sql, ...rest);
    };
  }

  private lookup(
    sql: string,
    all: (sql: string, ...rest: unknown[]) => unknown,
    callback: SqliteCallback,
  ): unknown {
    if (this.rows.has(sql)) {
      const rows = this.rows.get(sql);
      process.nextTick(() => callback.call(undefined, null, rows));
      return undefined;
    }
    return all(sql, (error: Error | null, rows: unknown) => {
      if (error === null) {
        this.rows.set(sql, rows);
      }
      callback.call(undefined, error, rows);
    });
  }

  private forgetOnSchemaChange(sql: string): void {
    if (SCHEMA_CHANGE.test(sql)) {
      this.rows.clear();
    }
  }
}
