import type { AppServices } from '../context.js';
import { HttpError } from '../errors.js';
import type { User } from '../models/index.js';

const WINDOW_MS = 60_000;

/** Recent test times per user id, per server, so test servers in one process do not share. */
const recentTests = new WeakMap<AppServices, Map<number, number[]>>();

/**
 * Counts a connection test for the user and throws 429 when the user already ran
 * `config.providerTestsPerMinute` tests in the last minute. Each test spends a provider call on
 * the provider's key, which for a shared provider is not the user's own.
 * NOTE: the count lives in this process, so behind a load balancer each instance counts alone.
 */
export function countProviderTest(services: AppServices, user: User, now = Date.now()): void {
  let byUser = recentTests.get(services);
  if (byUser === undefined) {
    byUser = new Map();
    recentTests.set(services, byUser);
  }
  const recent = (byUser.get(user.id) ?? []).filter((time) => now - time < WINDOW_MS);
  const limit = services.config.providerTestsPerMinute;
  if (recent.length >= limit) {
    const retryAfterSeconds = Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - now) / 1000));
    byUser.set(user.id, recent);
    throw new HttpError(
      429,
      'rate_limited',
      `You ran ${limit} provider connection tests in the last minute; try again in ${retryAfterSeconds} seconds.`,
      {
        details: { retryAfterSeconds, limit },
        headers: { 'Retry-After': String(retryAfterSeconds) },
      },
    );
  }
  recent.push(now);
  byUser.set(user.id, recent);
}
