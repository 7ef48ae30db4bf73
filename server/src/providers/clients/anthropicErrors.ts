// Maps what the Anthropic SDK and the network throw onto the provider error codes callers tell
// apart, each with one sentence and Anthropic's own message where it sent one.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from '@anthropic-ai/sdk';
import { AnthropicBlockError } from '../../../../shared/src/streaming/anthropicBlocks.js';
import { errorCodes, notHttpError, TLS_ERROR_CODE } from './networkErrors.js';
import { retryAfterMsOf } from './retryAfter.js';
import { ProviderError, type ProviderErrorCode } from './types.js';

/** The state of a call when it failed. */
export interface FailureContext {
  /** Whether the response headers arrived, which makes a lost connection a drop. */
  responded: boolean;
  baseUrl: string;
  requestMs: number;
  /** Whether the call listed models, where a 404 points at the base URL, not a model id. */
  listing: boolean;
}

/**
 * Converts an SDK failure that no timer or abort of the client caused. A `null` error stands for
 * a stream that ended without its final event.
 */
export function describeFailure(error: unknown, context: FailureContext): ProviderError {
  const { responded, baseUrl, requestMs } = context;
  const fail = (code: ProviderErrorCode, message: string) =>
    new ProviderError(code, message, { cause: error });

  const where = `Anthropic at ${baseUrl}`;
  const dropped = `The connection to ${where} closed before the response was complete; try again.`;
  if (error === null) {
    return fail('dropped', dropped);
  }
  if (error instanceof APIUserAbortError) {
    return fail('aborted', `The request to ${where} was aborted.`);
  }
  if (error instanceof APIConnectionTimeoutError) {
    return fail('timeout', `The request to ${where} timed out after ${requestMs} ms.`);
  }
  if (error instanceof APIConnectionError) {
    const codes = errorCodes(error);
    const code = codes.at(-1) ?? null;
    if (code !== null && TLS_ERROR_CODE.test(code)) {
      return fail(
        'tls',
        `The TLS connection to ${baseUrl} failed (${code}); check the base URL's scheme and the server's certificate.`,
      );
    }
    const notHttp = notHttpError(codes, baseUrl, error);
    if (notHttp !== undefined) {
      return notHttp;
    }
    if (responded) {
      return fail('dropped', dropped);
    }
    return fail(
      'unreachable',
      `Could not connect to ${baseUrl} (${code ?? error.message}); check the base URL and that the server is running.`,
    );
  }
  if (isApiError(error)) {
    return describeApiError(error, context.listing);
  }
  if (error instanceof SyntaxError || error instanceof AnthropicBlockError) {
    return fail(
      'malformed',
      `${where} sent a response that could not be read (${error.message}); check that the base URL points at the Anthropic API.`,
    );
  }
  const message = error instanceof Error ? error.message : `a thrown ${typeof error}`;
  return fail('malformed', `The call to ${where} failed unexpectedly: ${message}`);
}

/** Narrows to the SDK's APIError with its declared field types rather than `any`. */
function isApiError(error: unknown): error is APIError {
  return error instanceof APIError;
}

/** Maps an HTTP error status, or the `error` event of a stream, which has a type but no status. */
function describeApiError(error: APIError, listing: boolean): ProviderError {
  const { status } = error;
  const type = error.type ?? '';
  const label = status === undefined ? `${type || 'error'} event in the stream` : `HTTP ${status}`;
  // The SDK copies `error.message` from the body whatever its type, so an object is shown as JSON.
  const apiMessage: unknown = error.apiMessage;
  const providerMessage =
    apiMessage === null || apiMessage === undefined
      ? error.message
      : typeof apiMessage === 'string'
        ? apiMessage
        : JSON.stringify(apiMessage).slice(0, 500);
  const matches = (statuses: number[], types: string[]) =>
    (status !== undefined && statuses.includes(status)) || types.includes(type);
  const fail = (code: ProviderErrorCode, message: string, retryAfterMs?: number) =>
    new ProviderError(code, message, {
      cause: error,
      providerMessage,
      ...(status === undefined ? {} : { status }),
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });

  if (matches([401, 403], ['authentication_error', 'permission_error'])) {
    return fail(
      'auth',
      `Anthropic rejected the API key (${label}); check the key in the provider settings.`,
    );
  }
  if (matches([429], ['rate_limit_error'])) {
    const retryAfterMs = retryAfterMsOf(error.headers);
    const wait =
      retryAfterMs === undefined ? '' : ` Retry after ${Math.ceil(retryAfterMs / 1000)} s.`;
    return fail(
      'rate_limited',
      `Anthropic's rate limit was reached (${label}).${wait}`,
      retryAfterMs,
    );
  }
  if (matches([404], ['not_found_error'])) {
    return fail(
      'not_found',
      listing
        ? `The server has no Anthropic models list (${label}); check that the base URL points at the Anthropic API, such as https://api.anthropic.com.`
        : `Anthropic found no such model or endpoint (${label}); check the model id and the base URL.`,
    );
  }
  if (matches([529], ['overloaded_error'])) {
    return fail('server', `Anthropic is overloaded (${label}); try again later.`);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return fail('bad_request', `Anthropic rejected the request (${label}): ${providerMessage}`);
  }
  return fail('server', `Anthropic failed with a server error (${label}); try again later.`);
}
