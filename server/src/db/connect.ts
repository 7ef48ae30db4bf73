import fs from 'node:fs';
import path from 'node:path';
import { Sequelize, Transaction, type Options } from 'sequelize';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';

/**
 * Opens a Sequelize connection for a `sqlite:<file>` or `mysql://` URL. SQLite runs in WAL mode
 * with a busy timeout, so readers do not block the single writer.
 */
export async function connectDatabase(url: string, logger: Logger): Promise<Sequelize> {
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
    });
    openedConnections = setBusyTimeoutOnEveryConnection(sequelize);
  } else {
    sequelize = new Sequelize(url, {
      ...common,
      dialect: 'mysql',
      pool: { max: 10, min: 0, idle: 10_000 },
      dialectOptions: { charset: 'utf8mb4' },
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

const SQLITE_BUSY_TIMEOUT_MS = 5000;

interface SqliteConnection {
  configure(option: 'busyTimeout', milliseconds: number): void;
  run(sql: string, callback: (error: Error | null) => void): void;
}

/**
 * Sequelize opens a separate sqlite3 connection for each transaction and sets no busy timeout on
 * it, so a second writer would fail at once with SQLITE_BUSY. This wraps its connection manager
 * to set the timeout on every connection it opens. Returns a function that counts the
 * connections opened so far.
 */
function setBusyTimeoutOnEveryConnection(sequelize: Sequelize): () => number {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteConnection>;
  };
  const open = manager.getConnection.bind(manager);
  const configured = new WeakSet<SqliteConnection>();
  let opened = 0;
  manager.getConnection = async (options) => {
    const connection = await open(options);
    opened += 1;
    if (!configured.has(connection)) {
      configured.add(connection);
      connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
      // `synchronous` is per connection. Left at FULL, every transaction's commit waits for an
      // fsync; with WAL, NORMAL keeps the database consistent and loses at most the last commits
      // on a power failure.
      await new Promise<void>((resolve, reject) => {
        connection.run('PRAGMA synchronous = NORMAL', (error) =>
          error ? reject(error) : resolve(),
        );
      });
    }
    return connection;
  };
  return () => opened;
}
