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
  if (url.startsWith('sqlite:')) {
    const storage = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (storage === '') {
      throw new ConfigError('DATABASE_URL=sqlite: names no file; use sqlite:/path/to/file.sqlite');
    }
    sequelize = new Sequelize({
      ...common,
      dialect: 'sqlite',
      storage,
      // IMMEDIATE takes the write lock at BEGIN, so two writing transactions queue instead of
      // failing with SQLITE_BUSY when one upgrades a read lock.
      transactionType: Transaction.TYPES.IMMEDIATE,
    });
    setBusyTimeoutOnEveryConnection(sequelize);
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
    await sequelize.close().catch(() => undefined);
    throw new ConfigError(
      `Cannot open the database at ${redactUrl(url)}: ${reason}. ` +
        'Check DATABASE_URL and that the database server is running.',
    );
  }
  if (sequelize.getDialect() === 'sqlite') {
    await sequelize.query('PRAGMA journal_mode = WAL');
    await sequelize.query('PRAGMA synchronous = NORMAL');
    await sequelize.query('PRAGMA foreign_keys = ON');
  }
  return sequelize;
}

/** Replaces the password in a database URL so it can be shown in messages. */
export function redactUrl(url: string): string {
  return url.replace(/^(mysql:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}

const SQLITE_BUSY_TIMEOUT_MS = 5000;

interface SqliteConnection {
  configure(option: 'busyTimeout', milliseconds: number): void;
}

/**
 * Sequelize opens a separate sqlite3 connection for each transaction and sets no busy timeout on
 * it, so a second writer would fail at once with SQLITE_BUSY. This wraps its connection manager
 * to set the timeout on every connection it opens.
 */
function setBusyTimeoutOnEveryConnection(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: unknown): Promise<SqliteConnection>;
  };
  const open = manager.getConnection.bind(manager);
  manager.getConnection = async (options) => {
    const connection = await open(options);
    connection.configure('busyTimeout', SQLITE_BUSY_TIMEOUT_MS);
    return connection;
  };
}
