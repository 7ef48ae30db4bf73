import type { Logger } from 'pino';
import { DatabaseError, type Sequelize, type Transaction } from 'sequelize';

/** MySQL and MariaDB error number for a transaction rolled back as a deadlock victim. */
const ER_LOCK_DEADLOCK = 1213;

/** Attempts in all, the first one included. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * Runs `work` in a transaction, and runs it again from the start when the database rolls it back
 * to break a deadlock. InnoDB rolls back one of two transactions that wait for each other's row
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
      return await sequelize.transaction(work);
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
