// Maps what the OpenAI SDK and the network throw onto the provider error codes callers tell apart.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { errorCodes, notHttpError, TLS_ERROR_CODE } from './networkErrors.js';
import { findProviderError } from './providerFetch.js';
import { retryAfterMsOf } from './retryAfter.js';
import { ProviderError, type ClientTimeouts } from './types.js';

/** Why this client aborted a request itself: the caller's signal, the idle or the total limit. */
export type AbortReason = 'caller' | 'idle' | 'deadline';

/** The state of a call when it failed. */
export interface ErrorContext {
  /** The provider's host and port, such as `api.deepseek.com`, for messages. */
  host: string;
  /** The model of a chat call, or null when listing models. */
  model: string | null;
  timeouts: ClientTimeouts;
  abortReason: AbortReason | null;
  /** Whether the response headers had arrived, so a later failure cut a response short. */
  responseStarted: boolean;
  /** The raw body of an error response, which contains the provider's own message. */
  errorBody: string | null;
}

/** The maximum length of provider text quoted in our message. The full text stays in details. */
const MAX_QUOTED_LENGTH = 300;

/** Converts anything a call threw into a ProviderError with one clear sentence. */
export function toProviderError(error: unknown, context: ErrorContext): ProviderError {
  if (error instanceof ProviderError) {
    return error;
  }
  const { host, timeouts } = context;
  switch (context.abortReason) {
    case 'caller':
      return new ProviderError('aborted', `The request to ${host} was aborted.`, { cause: error });
    case 'idle':
      return new ProviderError(
        'timeout',
        `${host} sent nothing for ${timeouts.idleMs} ms, so the stream was stopped.`,
        { cause: error },
      );
    case 'deadline':
      return new ProviderError(
        'timeout',
        `${host} did not finish its response within ${timeouts.requestMs} ms.`,
        { cause: error },
      );
    case null:
      break;
  }

  const guardError = findProviderError(error);
  if (guardError !== null) {
    return guardError;
  }
  if (error instanceof APIUserAbortError) {
    return new ProviderError('aborted', `The request to ${host} was aborted.`, { cause: error });
  }
  if (error instanceof APIConnectionTimeoutError) {
    return new ProviderError(
      'timeout',
      `${host} did not respond within ${timeouts.requestMs} ms.`,
      { cause: error },
    );
  }
  if (error instanceof APIConnectionError) {
    return connectionError(error, host);
  }
  if (error instanceof APIError) {
    return statusError(error as APIError, context);
  }
  if (error instanceof SyntaxError) {
    return malformedResponse(host, error);
  }
  if (context.responseStarted) {
    return new ProviderError(
      'dropped',
      `The connection to ${host} closed before the response finished.`,
      { cause: error },
    );
  }
  return connectionError(error, host);
}

/** Creates the error for a response that is not the JSON an OpenAI-compatible API sends. */
export function malformedResponse(host: string, cause?: unknown): ProviderError {
  return new ProviderError(
    'malformed',
    `${host} sent a response that is not valid OpenAI-compatible JSON; check that the base URL points to the API, such as https://host/v1.`,
    { cause },
  );
}

/**
 * Creates the error for a stream event that is not JSON after valid events arrived. The base URL
 * is right in that case, so the message points at the service instead.
 */
export function malformedStreamEvent(host: string, cause: unknown): ProviderError {
  return new ProviderError(
    'malformed',
    `${host} sent a stream event that is not valid JSON partway through the answer; the service failed mid-answer, so send the message again.`,
    { cause },
  );
}

function connectionError(error: unknown, host: string): ProviderError {
  const codes = errorCodes(error);
  const tlsCode = codes.find((code) => TLS_ERROR_CODE.test(code));
  if (tlsCode !== undefined) {
    return new ProviderError(
      'tls',
      `The TLS connection to ${host} failed (${tlsCode}); check that the base URL uses the scheme the server speaks and that its certificate is valid.`,
      { cause: error },
    );
  }
  const notHttp = notHttpError(codes, host, error);
  if (notHttp !== undefined) {
    return notHttp;
  }
  const code = codes[0] ?? 'no response';
  return new ProviderError(
    'unreachable',
    `Could not connect to ${host} (${code}); check the base URL and that the server is running.`,
    { cause: error },
  );
}

function statusError(error: APIError, context: ErrorContext): ProviderError {
  const { host } = context;
  const status = error.status;
  const providerMessage = providerMessageOf(error, context.errorBody);
  const details = { status, providerMessage, cause: error };

  if (status === undefined) {
    return new ProviderError('server', `${host} reported an error during the stream.`, details);
  }
  if (status === 401 || status === 403) {
    return new ProviderError(
      'auth',
      `${host} rejected the API key (HTTP ${status}); check the key saved for this provider.`,
      details,
    );
  }
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(error.headers);
    const wait = retryAfterMs === undefined ? 'wait' : `wait ${Math.ceil(retryAfterMs / 1000)} s`;
    return new ProviderError(
      'rate_limited',
      `${host} is rate limiting requests (HTTP 429); ${wait} before trying again.`,
      { ...details, retryAfterMs },
    );
  }
  if (status === 404) {
    const message =
      context.model === null
        ? `${host} returned 404 for the models list; check that the base URL points at the API and ends with its version, such as /v1.`
        : `${host} returned 404 for model ${JSON.stringify(context.model)}; check the model id and that the base URL ends with the API version, such as /v1.`;
    return new ProviderError('not_found', message, details);
  }
  if (status >= 400 && status < 500) {
    return new ProviderError(
      'bad_request',
      `${host} rejected the request (HTTP ${status}): ${quote(providerMessage)}`,
      details,
    );
  }
  return new ProviderError(
    'server',
    `${host} failed with HTTP ${status}; try again later.`,
    details,
  );
}

/**
 * Extracts the provider's own error text. OpenAI and most compatible servers send
 * `{error: {message}}`, Ollama and LM Studio send `{error: "..."}`, and vLLM and other FastAPI
 * servers send `{detail}`.
 */
function providerMessageOf(error: APIError, errorBody: string | null): string {
  if (errorBody !== null && errorBody.trim() !== '') {
    return messageInBody(errorBody) ?? errorBody.trim();
  }
  const inner: unknown = error.error;
  if (typeof inner === 'object' && inner !== null) {
    const message = (inner as { message?: unknown }).message;
    if (typeof message === 'string') {
      return message;
    }
  }
  return error.message;
}

function messageInBody(body: string): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return null;
  }
  const { error, detail, message } = parsed as Record<string, unknown>;
  if (typeof error === 'object' && error !== null) {
    const inner = (error as { message?: unknown }).message;
    if (typeof inner === 'string') {
      return inner;
    }
  }
  for (const candidate of [error, detail, message]) {
    if (typeof candidate === 'string') {
      return candidate;
    }
  }
  return detail === undefined ? null : JSON.stringify(detail);
}

function quote(text: string): string {
  const clipped = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
  return /[.!?…]$/.test(clipped) ? clipped : `${clipped}.`;
}
