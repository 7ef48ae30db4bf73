import { HttpError } from '../errors.js';
import { LaunchError } from './launcher.js';
import { SshError } from './ssh/errors.js';

/**
 * Maps training failures to API errors: host key problems are 409 (an admin must confirm the
 * key), other SSH failures 502 (the host, not this server, failed), and a launch that cannot
 * work 409. Other errors pass through unchanged.
 */
export function toHttpError(error: unknown): unknown {
  if (error instanceof SshError) {
    const status =
      error.code === 'host_key_changed' || error.code === 'host_key_not_confirmed' ? 409 : 502;
    return new HttpError(status, error.code, error.message);
  }
  if (error instanceof LaunchError) {
    return new HttpError(409, 'launch_failed', error.message);
  }
  return error;
}

/** Runs `work` and rethrows its failure as an API error (see toHttpError). */
export async function asHttpErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toHttpError(error);
  }
}
