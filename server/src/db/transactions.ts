import type { Logger } from 'pino';
import { DatabaseError, type Sequelize, type Transaction } from 'sequelize';

/** MySQL and MariaDB error number for a transaction rolled back as a deadlock victim. */
const ER_LOCK_DEADLOCK = 1213;

/** Attempts in all, the first one included. */
const DEADLOCK_ATTEMPTS = 3;

const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * Runs `work` in a transaction. On SQLite, transactions of this process run one at a time,
 * because each Sequelize transaction opens its own sqlite3 connection. A transaction waiting on
 * the busy timeout blocks one of libuv's four worker threads, so a burst of them could starve the
 * thread the lock holder needs to commit. Queueing them in the process avoids that wait.
 */
export function runTransaction<T>(
  sequelize: Sequelize,
  work: (transaction: Transaction) => Promise<T>,
): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') {
    return sequelize.transaction(work);
  }
  const previous = sqliteQueues.get(sequelize) ?? Promise.resolve();
  const result = previous.then(
    () => sequelize.transaction(work),
    () => sequelize.transaction(work),
  );
  sqliteQueues.set(
    sequelize,
    result.catch(() => undefined),
  );
  return result;
}

/**
 * Runs `work` in a transaction (see runTransaction), and runs it again from the start when the
 * database rolls it back to break a deadlock. InnoDB rolls back one of two transactions that wait for each other's row
 * locks, and the MySQL Reference Manual ("How to Minimize and Handle Deadlocks") recommends
 * re-issuing it. SQLite transactions here take the write lock at BEGIN, so they queue instead.
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
