import { ApiError } from '../../../shared/src/api/errors.js';
import type { ApiErrorBody, TokenResponse } from '../../../shared/src/api/users.js';

export { ApiError };

/** The access token is renewed this long before the server's expiry, to absorb clock skew. */
const EXPIRY_MARGIN_MS = 30_000;

/** A file the server sent for download. */
export interface Download {
  blob: Blob;
  fileName: string;
}

/**
 * Calls the server for the admin page. The refresh token stays in its HttpOnly cookie, and the
 * access token lives only in this object, so a reload restores the session through
 * `/api/auth/refresh`. Before a request with an expired access token, and once after a 401, the
 * token is refreshed. Requests that need a refresh at the same moment share one refresh call,
 * because the server rotates the refresh token on every use.
 */
export class AdminApi {
  private accessToken: string | undefined;
  private expiresAt = 0;
  private refreshing: Promise<TokenResponse | undefined> | undefined;

  /** Called when the session ends without a sign-out: the refresh token was rejected. */
  onSessionEnd: (() => void) | undefined;

  async logIn(login: string, password: string): Promise<TokenResponse> {
    const session = await this.send<TokenResponse>('POST', '/api/auth/login', {
      login,
      password,
    });
    this.keep(session);
    return session;
  }

  /** Restores a session from the refresh cookie; returns undefined when there is none. */
  resume(): Promise<TokenResponse | undefined> {
    return this.refresh();
  }

  async logOut(): Promise<void> {
    try {
      await this.send<undefined>('POST', '/api/auth/logout', {});
    } finally {
      this.forget();
    }
  }

  /** Drops the access token, so the next request starts from the refresh cookie. */
  forget(): void {
    this.accessToken = undefined;
    this.expiresAt = 0;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.call<T>('PATCH', path, body);
  }

  delete(path: string): Promise<void> {
    return this.call<undefined>('DELETE', path);
  }

  /** Fetches a file, such as a CSV export, with its name from Content-Disposition. */
  async download(path: string, fallbackName: string): Promise<Download> {
    const response = await this.authorized('GET', path);
    if (!response.ok) {
      throw await errorOf(response);
    }
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const fileName = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
    return { blob: await response.blob(), fileName };
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return parse<T>(await this.authorized(method, path, body));
  }

  /** Sends a request with a fresh access token, refreshing once more after a 401. */
  private async authorized(method: string, path: string, body?: unknown): Promise<Response> {
    if (this.accessToken === undefined || Date.now() >= this.expiresAt) {
      await this.refreshOrEnd();
    }
    const used = this.accessToken;
    const response = await this.fetch(method, path, body);
    if (response.status !== 401) {
      return response;
    }
    // When another request refreshed while this one was in flight, its new token is used.
    if (this.accessToken === used) {
      await this.refreshOrEnd();
    }
    return this.fetch(method, path, body);
  }

  private async refreshOrEnd(): Promise<void> {
    const session = await this.refresh();
    if (session === undefined) {
      this.onSessionEnd?.();
      throw new ApiError(401, 'session_ended', 'Your session has ended; sign in again.');
    }
  }

  private refresh(): Promise<TokenResponse | undefined> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<TokenResponse | undefined> {
    try {
      const session = await this.send<TokenResponse>('POST', '/api/auth/refresh', {});
      this.keep(session);
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        this.forget();
        return undefined;
      }
      throw error;
    }
  }

  private keep(session: TokenResponse): void {
    this.accessToken = session.accessToken;
    this.expiresAt = Date.now() + session.expiresIn * 1000 - EXPIRY_MARGIN_MS;
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    return parse<T>(await this.fetch(method, path, body));
  }

  private fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (this.accessToken !== undefined) {
      headers.Authorization = `Bearer ${this.accessToken}`;
    }
    // Relative to the page at `<prefix>/admin/`, so a proxy's path prefix is kept.
    return fetch(new URL(`..${path}`, document.baseURI), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}

/** Returns the message to show for a failed request. */
export function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : 'The server could not be reached; try again.';
}

async function parse<T>(response: Response): Promise<T> {
  if (!response.ok) {
    throw await errorOf(response);
  }
  if (response.status === 204) {
    return undefined as T;
  }
  return (await response.json()) as T;
}

async function errorOf(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('X-Request-Id') ?? undefined;
  try {
    const { error } = (await response.json()) as ApiErrorBody;
    return new ApiError(response.status, error.code, error.message, {
      details: error.details,
      ...(requestId === undefined ? {} : { requestId }),
    });
  } catch {
    return new ApiError(
      response.status,
      'unexpected_response',
      `The server returned ${response.status} ${response.statusText} with no error message.`,
      requestId === undefined ? {} : { requestId },
    );
  }
}
