import os from 'node:os';
import bcrypt from 'bcrypt';
import { isWellFormedUnicode } from '../validation/requestText.js';

/** Runs at most `max` tasks at once, and the rest wait in arrival order. */
class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.max) {
      this.running += 1;
    } else {
      // The task that finishes hands its slot straight to this one, so `running` stays put.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) {
        this.running -= 1;
      } else {
        next();
      }
    }
  }
}

/** Returns the libuv thread pool size: UV_THREADPOOL_SIZE, read when the pool starts, or 4. */
function threadPoolSize(): number {
  const size = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(size) && size > 0 ? size : 4;
}

/**
 * bcrypt runs on the libuv thread pool, which sqlite3 queries and file I/O share. Given every
 * bcrypt job at once, the pool queues each query behind all of them, so during 64 concurrent
 * logins on 2 cores a health check took up to 1.1 s, against under 20 ms with this cap. One job
 * more than there are cores runs bcrypt, so a core that finishes a job starts the next at once
 * instead of idling until the main thread hands it over. At least one pool thread stays free, and
 * the rest wait here in order.
 */
const bcryptJobs = new ConcurrencyLimit(
  Math.max(1, Math.min(os.availableParallelism() + 1, threadPoolSize() - 1)),
);

/** bcrypt reads only the first 72 bytes of a password. */
export const MAX_PASSWORD_BYTES = 72;

/** Hashes a password with bcrypt at the configured cost. */
export function hashPassword(password: string, rounds: number): Promise<string> {
  return bcryptJobs.run(() => bcrypt.hash(password, rounds));
}

/**
 * Compares a password with a stored hash. When there is no user, it compares against a hash of
 * the same cost anyway, so an unknown login takes as long as a wrong password.
 */
export class PasswordVerifier {
  private readonly dummyHash: Promise<string>;

  constructor(private readonly rounds: number) {
    this.dummyHash = hashPassword('unused dummy password', rounds);
  }

  /**
   * Returns false without running bcrypt for a password that bcrypt cannot tell apart from
   * another: one over 72 bytes of UTF-8 (bcrypt reads only the first 72) or one with an unpaired
   * surrogate (UTF-8 conversion turns every one into U+FFFD). Such a password cannot have been
   * set through the API, which rejects both.
   */
  async verify(password: string, hash: string | undefined): Promise<boolean> {
    if (
      Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES ||
      !isWellFormedUnicode(password)
    ) {
      return false;
    }
    const stored = hash ?? (await this.dummyHash);
    const matches = await bcryptJobs.run(() => bcrypt.compare(password, stored));
    return hash !== undefined && matches;
  }
}
