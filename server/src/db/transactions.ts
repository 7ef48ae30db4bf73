import type { Logger } from 'pino';
import { DatabaseError, type Sequelize, type Transaction } from 'sequelize';
import { isSqliteBusy } from './connect.js';

/** MySQL and MariaDB error number for a transaction rolled back as a deadlock victim. */
const ER_LOCK_DEADLOCK = 1213;

/** Attempts in all, the first one included. */
const DEADLOCK_ATTEMPTS = 3;

/** This process's SQLite transactions, which run one at a time. */
interface SqliteQueue {
  /** Settles once the last transaction that joined has ended. */
  tail: Promise<unknown>;
  /** Number for the next transaction that joins. */
  nextTicket: number;
  /** Waiting transactions numbered below this fail with `busyError` without running. */
  failBelow: number;
  busyError?: unknown;
}

const sqliteQueues = new WeakMap<Sequelize, SqliteQueue>();

/**
 * Runs `work` in a transaction. On SQLite, transactions of this process run one at a time,
 * because each Sequelize transaction opens its own sqlite3 connection. A transaction waiting on
 * the busy timeout blocks one of libuv's four worker threads, so a burst of them could starve the
 * thread the lock holder needs to commit. Queueing them in the process avoids that wait.
 *
 * When a transaction fails with SQLITE_BUSY, another connection, usually of another process, has
 * held the write lock for the whole busy timeout. The transactions that waited behind it then fail
 * at once with the same error, because each would otherwise wait the busy timeout again in turn.
 */
export function runTransaction<T>(
  sequelize: Sequelize,
  work: (transaction: Transaction) => Promise<T>,
): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') {
    return sequelize.transaction(work);
  }
  const queue = sqliteQueueOf(sequelize);
  const ticket = queue.nextTicket;
  queue.nextTicket += 1;
  const run = async (): Promise<T> => {
    if (ticket < queue.failBelow) {
      throw queue.busyError;
    }
    try {
      return await sequelize.transaction(work);
    } catch (error) {
      if (isSqliteBusy(error)) {
        queue.failBelow = queue.nextTicket;
        queue.busyError = error;
      }
      throw error;
    }
  };
  const result = queue.tail.then(run, run);
  queue.tail = result.catch(() => undefined);
  return result;
}

function sqliteQueueOf(sequelize: Sequelize): SqliteQueue {
  let queue = sqliteQueues.get(sequelize);
  if (queue === undefined) {
    queue = { tail: Promise.resolve(), nextTicket: 0, failBelow: 0 };
    sqliteQueues.set(sequelize, queue);
  }
  return queue;
}

/**
 * Runs `work` in a transaction (see runTransaction), and runs it again from the start when the
 * database rolls it back to break a deadlock. InnoDB rolls back one of two transactions that wait
 * for each other's row locks, and the MySQL Reference Manual ("How to Minimize and Handle
 * Deadlocks") recommends re-issuing it. SQLite transactions here take the write lock at BEGIN, so
 * they queue instead.
 */
export async function transactionWithRetry<T>(
  sequelize: Sequelize,
  logger: Logger,
  work: (transaction: Transaction) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await runTransaction(sequelize, work);
    } catch (error) {
      if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) {
        throw error;
      }
      logger.warn(
        { attempt, maxAttempts: DEADLOCK_ATTEMPTS },
        'transaction rolled back as a deadlock victim; retrying',
      );
    }
  }
}

function isDeadlock(error: unknown): boolean {
  if (!(error instanceof DatabaseError)) {
    return false;
  }
  return (error.parent as { errno?: number }).errno === ER_LOCK_DEADLOCK;
}
