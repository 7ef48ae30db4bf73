export { ApiError } from '../../../shared/src/api/errors.js';

/** The server could not be reached: refused, DNS failure, timeout or TLS error. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';

  constructor(
    readonly serverUrl: string,
    readonly reason: string,
  ) {
    super(`Cannot reach the LLM Workbench server at ${serverUrl} (${reason}).`);
  }
}

/** The session ended: the refresh token was rejected, so the user must sign in again. */
export class SignedOutError extends Error {
  override name = 'SignedOutError';

  constructor(message = 'Your LLM Workbench session ended; sign in again.') {
    super(message);
  }
}
