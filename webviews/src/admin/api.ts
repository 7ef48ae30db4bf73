import { ApiError } from '../../../shared/src/api/errors.js';
import type { ApiErrorBody, TokenResponse } from '../../../shared/src/api/users.js';

export { ApiError };

/**
 * Calls the server for the admin page. The refresh token stays in its HttpOnly cookie; the access
 * token lives only in this object, so a reload restores the session through `/api/auth/refresh`.
 */
export class AdminApi {
  private accessToken: string | undefined;

  async logIn(login: string, password: string): Promise<TokenResponse> {
    const session = await this.request<TokenResponse>('POST', '/api/auth/login', {
      login,
      password,
    });
    this.accessToken = session.accessToken;
    return session;
  }

  /** Restores a session from the refresh cookie; returns undefined when there is none. */
  async resume(): Promise<TokenResponse | undefined> {
    try {
      const session = await this.request<TokenResponse>('POST', '/api/auth/refresh', {});
      this.accessToken = session.accessToken;
      return session;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        return undefined;
      }
      throw error;
    }
  }

  async logOut(): Promise<void> {
    await this.request<undefined>('POST', '/api/auth/logout', {});
    this.accessToken = undefined;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (this.accessToken !== undefined) {
      headers.Authorization = `Bearer ${this.accessToken}`;
    }
    // Relative to the page at `<prefix>/admin/`, so a proxy's path prefix is kept.
    const response = await fetch(new URL(`..${path}`, document.baseURI), {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (response.status === 204) {
      return undefined as T;
    }
    const payload = (await response.json()) as unknown;
    if (!response.ok) {
      const error = (payload as ApiErrorBody).error;
      throw new ApiError(response.status, error.code, error.message);
    }
    return payload as T;
  }
}
