import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import type { ApiClient, SessionTokens } from '../api/client.js';
import { ApiError, ServerUnreachableError } from '../api/errors.js';

/** A request whose body or response is not JSON: file bytes, a form, or a download. */
export interface RawRequest {
  headers?: Record<string, string>;
  /** A body that can be sent twice, because a 401 resends it after the token refresh. */
  body?: Uint8Array | FormData;
  signal?: AbortSignal;
  /** 0 for no overall timeout. */
  timeoutMs: number;
}

/**
 * Sends requests that ApiClient cannot, since it reads and writes JSON only, with the session's
 * access token. A 401 refreshes the token through ApiClient (a `GET /api/auth/me`, which
 * refreshes once for all requests in flight) and sends the request once more.
 */
export class RawTransport {
  constructor(
    private readonly client: ApiClient,
    private readonly tokens: SessionTokens,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  /** Sends the request and returns the response; throws ApiError for an error status. */
  async send(method: string, path: string, request: RawRequest): Promise<Response> {
    let response = await this.sendOnce(method, path, request);
    if (response.status === 401) {
      await response.body?.cancel();
      await this.client.request('GET', '/api/auth/me');
      response = await this.sendOnce(method, path, request);
    }
    if (!response.ok) {
      throw await errorOf(response);
    }
    return response;
  }

  /** Sends the request and parses the JSON response. */
  async sendForJson<T>(method: string, path: string, request: RawRequest): Promise<T> {
    const response = await this.send(method, path, request);
    return (await response.json()) as T;
  }

  private async sendOnce(method: string, path: string, request: RawRequest): Promise<Response> {
    const serverUrl = this.tokens.serverUrl();
    const token = this.tokens.accessToken();
    const headers: Record<string, string> = { ...request.headers };
    if (token !== undefined) {
      headers.Authorization = `Bearer ${token}`;
    }
    const signals = [
      request.signal,
      request.timeoutMs > 0 ? AbortSignal.timeout(request.timeoutMs) : undefined,
    ].filter((signal): signal is AbortSignal => signal !== undefined);
    try {
      return await this.fetchImpl(new URL(path, serverUrl), {
        method,
        headers,
        signal: AbortSignal.any(signals),
        ...(request.body === undefined ? {} : { body: request.body }),
      });
    } catch (error) {
      if (request.signal?.aborted === true) {
        throw error;
      }
      throw new ServerUnreachableError(serverUrl, describeFailure(error, request.timeoutMs));
    }
  }
}

/** Builds the ApiError of an error response, with the server's code, message and details. */
async function errorOf(response: Response): Promise<ApiError> {
  const requestId = response.headers.get('x-request-id') ?? undefined;
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await response.json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  return new ApiError(
    response.status,
    body?.error?.code ?? 'http_error',
    body?.error?.message ?? `The server answered HTTP ${response.status}.`,
    { details: body?.error?.details, requestId },
  );
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
