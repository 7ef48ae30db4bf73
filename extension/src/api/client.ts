import type { ApiErrorBody, TokenResponse } from '../../../shared/src/api/users.js';
import { SseParser, type SseEvent } from '../../../shared/src/sse/codec.js';
import { ApiError, ServerUnreachableError, SignedOutError } from './errors.js';

/** Session storage of the client: the access token in memory, the refresh token in secrets. */
export interface SessionTokens {
  serverUrl(): string;
  accessToken(): string | undefined;
  refreshToken(): Promise<string | undefined>;
  /** Stores a rotated pair. */
  update(session: TokenResponse): Promise<void>;
  /** Forgets the session after the server rejected the refresh token. */
  expire(reason: string): Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Defaults to 30 s; streams have no overall timeout. */
  timeoutMs?: number;
  /** Sends no access token and never refreshes (sign-in, refresh and health). */
  anonymous?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Where the client writes one line per request: method, path, status, time and request id. */
export interface RequestLog {
  debug(message: string): void;
}

/**
 * Typed HTTP client of the server API. When the access token has expired, the first 401 starts a
 * single refresh. Every request in flight waits for it and retries once with the new token.
 */
export class ApiClient {
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly tokens: SessionTokens,
    private readonly fetchImpl: typeof fetch = fetch,
    private readonly log?: RequestLog,
  ) {}

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const sentToken = options.anonymous === true ? undefined : this.tokens.accessToken();
    const response = await this.send(method, path, options, sentToken);
    if (response.status === 401 && options.anonymous !== true) {
      await this.refreshAfter(sentToken);
      return this.parse<T>(await this.send(method, path, options, this.tokens.accessToken()));
    }
    return this.parse<T>(response);
  }

  /** Sends a request whose response is SSE and calls `onEvent` for each event until it ends. */
  async stream(
    method: string,
    path: string,
    options: RequestOptions & { onEvent(event: SseEvent): void },
  ): Promise<void> {
    const streamOptions = { ...options, timeoutMs: 0, accept: 'text/event-stream' };
    const sentToken = this.tokens.accessToken();
    let response = await this.send(method, path, streamOptions, sentToken);
    if (response.status === 401) {
      await this.refreshAfter(sentToken);
      response = await this.send(method, path, streamOptions, this.tokens.accessToken());
    }
    if (!response.ok || response.body === null) {
      await this.parse<unknown>(response);
      return;
    }
    const parser = new SseParser();
    const decoder = new TextDecoder();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      for (const event of parser.push(decoder.decode(value, { stream: true }))) {
        options.onEvent(event);
      }
    }
    for (const event of parser.push(decoder.decode())) {
      options.onEvent(event);
    }
    for (const event of parser.end()) {
      options.onEvent(event);
    }
  }

  /**
   * Refreshes once for everyone: a request whose token is already outdated just retries with the
   * new one, and concurrent callers share the refresh in progress.
   */
  private async refreshAfter(sentToken: string | undefined): Promise<void> {
    const current = this.tokens.accessToken();
    if (current !== undefined && current !== sentToken) {
      return;
    }
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    await this.refreshing;
  }

  private async refresh(): Promise<void> {
    const refreshToken = await this.tokens.refreshToken();
    if (refreshToken === undefined) {
      await this.tokens.expire('not signed in');
      throw new SignedOutError('Sign in to LLM Workbench first.');
    }
    let session: TokenResponse;
    try {
      session = await this.request<TokenResponse>('POST', '/api/auth/refresh', {
        anonymous: true,
        body: { refreshToken, tokenDelivery: 'body' },
      });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        await this.tokens.expire(error.message);
        throw new SignedOutError();
      }
      throw error;
    }
    await this.tokens.update(session);
  }

  private async send(
    method: string,
    path: string,
    options: RequestOptions & { accept?: string },
    accessToken: string | undefined,
  ): Promise<Response> {
    const accept = options.accept ?? 'application/json';
    const serverUrl = this.tokens.serverUrl();
    const headers: Record<string, string> = { Accept: accept };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    if (accessToken !== undefined) {
      headers.Authorization = `Bearer ${accessToken}`;
    }
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signals = [options.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined];
    const signal = AbortSignal.any(
      signals.filter((item): item is AbortSignal => item !== undefined),
    );
    const started = Date.now();
    try {
      const response = await this.fetchImpl(new URL(path, serverUrl), {
        method,
        headers,
        signal,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      this.log?.debug(
        `${method} ${path} → HTTP ${response.status} in ${Date.now() - started} ms ` +
          `(request id ${response.headers.get('x-request-id') ?? 'none'})`,
      );
      return response;
    } catch (error) {
      if (options.signal?.aborted === true) {
        this.log?.debug(`${method} ${path} → cancelled after ${Date.now() - started} ms`);
        throw error;
      }
      const reason = describeFetchFailure(error, timeoutMs);
      this.log?.debug(`${method} ${path} → no answer after ${Date.now() - started} ms: ${reason}`);
      throw new ServerUnreachableError(serverUrl, reason);
    }
  }

  private async parse<T>(response: Response): Promise<T> {
    if (response.status === 204) {
      return undefined as T;
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text();
    let payload: unknown;
    try {
      payload = text === '' ? undefined : JSON.parse(text);
    } catch {
      throw new ApiError(
        response.status,
        'invalid_response',
        `The server answered HTTP ${response.status} with a body that is not JSON; check the server URL.`,
        { requestId },
      );
    }
    if (!response.ok) {
      const error = (payload as Partial<ApiErrorBody> | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'http_error',
        error?.message ?? `The server answered HTTP ${response.status}.`,
        { details: error?.details, requestId },
      );
    }
    return payload as T;
  }
}

function describeFetchFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
