// The fetch every provider client uses. It checks the address policy before each request, never
// follows a redirect, and caps how much of a response it reads.
import type { ReadableStreamReadResult } from 'node:stream/web';
import { checkHostBeforeRequest, type PrivateNetworkAccess } from './addressPolicy.js';
import { transportFetch } from './httpTransport.js';
import { ProviderError } from './types.js';

/** The maximum size of a response that is not streamed, such as a model list: 16 MiB. */
export const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** The maximum size read of an error response; the rest is discarded. */
export const MAX_ERROR_BODY_BYTES = 8 * 1024;

export interface GuardOptions {
  privateNetworks: PrivateNetworkAccess;
  /**
   * Whether a successful body is a stream the client reads as it arrives. Its length is then not
   * capped, because the client's idle limit ends a stalled stream; an error body always is.
   */
  streaming: boolean;
}

/**
 * Creates the fetch for provider calls. Before each request it checks the host against the
 * address policy, and the transport checks every address DNS returns when it connects (see
 * transportFetch), so a name whose DNS answer changes in between cannot reach a rejected
 * address. Redirects are not followed: one fails as `redirected`, because following it would send
 * the key and custom headers to whatever host the provider names. An error body is cut to
 * MAX_ERROR_BODY_BYTES, and a body that is not streamed fails as `too_large` once it passes
 * MAX_BODY_BYTES, without reading it all into memory.
 */
export function guardedProviderFetch(options: GuardOptions): typeof fetch {
  const transport = transportFetch(options.privateNetworks);
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    await untilAborted(assertHostAllowed(url, options.privateNetworks), init?.signal);
    const response = await transport(input, init);
    if (isRedirect(response.status)) {
      await response.body?.cancel().catch(() => undefined);
      throw redirectError(url, response);
    }
    if (!response.ok) {
      return cappedErrorResponse(response, MAX_ERROR_BODY_BYTES);
    }
    if (options.streaming) {
      return response;
    }
    return limitedResponse(url, response, MAX_BODY_BYTES);
  };
}

/**
 * Returns the ProviderError this module threw, wherever an SDK wrapped it: as the error itself
 * or as a cause further down the chain.
 */
export function findProviderError(error: unknown): ProviderError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    if (current instanceof ProviderError) {
      return current;
    }
    current = current.cause;
  }
  return null;
}

async function assertHostAllowed(url: URL, access: PrivateNetworkAccess): Promise<void> {
  const rejection = await checkHostBeforeRequest(url.hostname, access);
  if (rejection !== null) {
    throw new ProviderError('blocked_address', rejection.message);
  }
}

/** Waits for the promise, or rejects as an abort when the signal fires first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | null | undefined): Promise<T> {
  if (signal === null || signal === undefined) {
    return promise;
  }
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(
        signal.reason instanceof Error ? signal.reason : new Error('The request was aborted.'),
      );
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** 304 Not Modified also has a 3xx status, but it is a complete response, not a redirect. */
function isRedirect(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

/** The maximum length of a redirect target quoted in a message, in characters. */
const MAX_QUOTED_TARGET = 200;

function redirectError(url: URL, response: Response): ProviderError {
  const location = response.headers.get('location');
  let target = 'another address';
  if (location !== null) {
    target = quotedTarget(location, url);
  }
  return new ProviderError(
    'redirected',
    `${url.host} redirected the request to ${target} (HTTP ${response.status}). Redirects are ` +
      'not followed, so the key is never sent to another host; if the provider moved, set the ' +
      'base URL to its new address.',
    { status: response.status },
  );
}

/**
 * Returns where a redirect points, cut to MAX_QUOTED_TARGET characters and without its user
 * name, password, query and fragment, because signed and proxy URLs carry credentials there. A
 * Location that is not an http or https URL is not quoted, because its credentials cannot be found.
 */
function quotedTarget(location: string, base: URL): string {
  let resolved: URL;
  try {
    resolved = new URL(location, base);
  } catch {
    return 'an address that is not a valid URL';
  }
  if (resolved.protocol !== 'http:' && resolved.protocol !== 'https:') {
    return `an address with the scheme ${JSON.stringify(resolved.protocol.slice(0, 20))}`;
  }
  const hidden = resolved.search === '' && resolved.hash === '' ? '' : '?…';
  resolved.username = '';
  resolved.password = '';
  resolved.search = '';
  resolved.hash = '';
  const target = `${resolved.href}${hidden}`;
  return target.length > MAX_QUOTED_TARGET ? `${target.slice(0, MAX_QUOTED_TARGET)}…` : target;
}

/** Reads at most `maxBytes` of an error body, then cancels the rest of it. */
async function cappedErrorResponse(response: Response, maxBytes: number): Promise<Response> {
  const headers = withoutLengthHeaders(response.headers);
  const nullBody = [204, 205, 304].includes(response.status);
  if (response.body === null || nullBody) {
    return new Response(null, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < maxBytes) {
      const { done, value } = (await reader.read()) as ReadableStreamReadResult<Uint8Array>;
      if (done) {
        break;
      }
      chunks.push(value);
      length += value.byteLength;
    }
  } catch {
    // A body cut off by the server still carries its first bytes, which are kept.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = Buffer.concat(chunks).subarray(0, maxBytes);
  const text = new TextDecoder().decode(bytes);
  return new Response(text, { status: response.status, statusText: response.statusText, headers });
}

/** Passes the body through, and fails it as `too_large` once it passes `maxBytes`. */
function limitedResponse(url: URL, response: Response, maxBytes: number): Response {
  const tooLarge = () =>
    new ProviderError(
      'too_large',
      `${url.host} sent a response larger than ${formatBytes(maxBytes)}, so it was not read; ` +
        "check that the base URL points at the provider's API.",
    );
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    void response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) {
    return response;
  }
  let length = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      length += chunk.byteLength;
      if (length > maxBytes) {
        controller.error(tooLarge());
        return;
      }
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(counter), {
    status: response.status,
    statusText: response.statusText,
    headers: withoutLengthHeaders(response.headers),
  });
}

/** Copies headers without those that describe the original body, which is replaced. */
function withoutLengthHeaders(headers: Headers): Headers {
  const copy = new Headers(headers);
  copy.delete('content-length');
  copy.delete('content-encoding');
  return copy;
}

function formatBytes(bytes: number): string {
  const mebibytes = bytes / (1024 * 1024);
  return Number.isInteger(mebibytes) ? `${mebibytes} MiB` : `${bytes} bytes`;
}
