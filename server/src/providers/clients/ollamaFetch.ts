// The fetch the Ollama client hands to the `ollama` package (0.6). The package has no time
// limits, aborts only streamed calls, skips NDJSON lines it cannot parse, and reports failures as
// Errors whose kind shows only in their message. This fetch applies the limits and the caller's
// AbortSignal, checks every line, and throws a ProviderError with a stable code.
import type { ReadableStreamReadResult } from 'node:stream/web';
import { NdjsonError, NdjsonSplitter } from '../../../../shared/src/streaming/ndjson.js';
import type { PrivateNetworkAccess } from './addressPolicy.js';
import { errorCodes, notHttpError, TLS_ERROR_CODE } from './networkErrors.js';
import { findProviderError, guardedProviderFetch } from './providerFetch.js';
import { retryAfterMsOf } from './retryAfter.js';
import { ProviderError, type ClientTimeouts } from './types.js';

/** Details of one SDK call, for the fetch and its error messages. */
export interface CallContext {
  baseUrl: string;
  /** The model a chat or show call is about, for error messages. */
  model: string | null;
  /** True for `/api/chat` with `stream: true`, whose body is NDJSON read line by line. */
  streaming: boolean;
  /** True for `/api/tags` and `/api/show` while listing models, false for chat. */
  listing: boolean;
  timeouts: ClientTimeouts;
  signal: AbortSignal | undefined;
  privateNetworks: PrivateNetworkAccess;
}

/**
 * The maximum length of one streamed line in characters. A line of a chat stream carries one
 * delta, usually a few hundred characters, so this only stops a server that never ends a line.
 */
const MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * Creates the fetch for one SDK call, on top of guardedProviderFetch (address policy, no
 * redirects, size limits). It aborts on the caller's signal, on the SDK's own signal, and after
 * `requestMs` without response headers (or, when not streaming, without the whole body). It
 * throws a ProviderError for an HTTP error status and for a body that is not JSON, and hands the
 * SDK a checked NDJSON body when streaming.
 */
export function guardedFetch(context: CallContext): typeof fetch {
  const providerFetch = guardedProviderFetch({
    privateNetworks: context.privateNetworks,
    streaming: context.streaming,
  });
  return async (input, init) => {
    const controller = new AbortController();
    const unlink = linkAbort(controller, [context.signal, init?.signal], () =>
      abortedError(context),
    );
    const requestTimer = setTimeout(
      () => controller.abort(timeoutError(context, 'response')),
      context.timeouts.requestMs,
    );
    const settle = (): void => {
      clearTimeout(requestTimer);
      unlink();
    };
    let bodyTakesOver = false;
    try {
      const response = await providerFetch(input, { ...init, signal: controller.signal });
      if (!response.ok) {
        throw await httpError(response, context);
      }
      if (!context.streaming) {
        return checkedJsonResponse(
          await bodyText(response, controller, context),
          response,
          context,
        );
      }
      if (response.body === null) {
        throw malformedError(context, 'the streamed response has no body');
      }
      clearTimeout(requestTimer);
      bodyTakesOver = true;
      const body = new CheckedNdjsonBody(response.body, controller, context, settle).stream();
      return new Response(body, { status: response.status, headers: response.headers });
    } catch (error) {
      throw failureOf(error, controller.signal, context);
    } finally {
      if (!bodyTakesOver) {
        settle();
      }
    }
  };
}

/**
 * Aborts the controller when any of the signals aborts, and returns the function that unlinks
 * them. They are also unlinked once the controller aborts, so a long-lived caller signal keeps no
 * listener after the request is over.
 */
function linkAbort(
  controller: AbortController,
  signals: (AbortSignal | null | undefined)[],
  reason: () => ProviderError,
): () => void {
  const onAbort = (): void => controller.abort(reason());
  const linked = signals.filter((signal): signal is AbortSignal => signal instanceof AbortSignal);
  const unlink = (): void => {
    linked.forEach((signal) => signal.removeEventListener('abort', onAbort));
  };
  controller.signal.addEventListener('abort', unlink, { once: true });
  for (const signal of linked) {
    signal.addEventListener('abort', onAbort, { once: true });
  }
  if (linked.some((signal) => signal.aborted)) {
    onAbort();
  }
  return unlink;
}

/** Reads the whole body. A connection that breaks after the headers is `dropped`. */
async function bodyText(
  response: Response,
  controller: AbortController,
  context: CallContext,
): Promise<string> {
  try {
    return await response.text();
  } catch (error) {
    throw (
      findProviderError(error) ??
      (controller.signal.aborted
        ? failureOf(error, controller.signal, context)
        : droppedError(context, error))
    );
  }
}

function checkedJsonResponse(text: string, response: Response, context: CallContext): Response {
  try {
    JSON.parse(text);
  } catch (error) {
    throw malformedError(
      context,
      `the response is not JSON: ${JSON.stringify(text.slice(0, 80))}`,
      error,
    );
  }
  return new Response(text, { status: response.status, headers: response.headers });
}

/**
 * An NDJSON body passed on line by line. It fails with a ProviderError on a line that is not a
 * JSON object, on an `{"error": …}` line, after `idleMs` without data, and when the body ends or
 * breaks before the `"done": true` line. Lines before a failure still reach the SDK first.
 */
class CheckedNdjsonBody {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();
  private readonly splitter = new NdjsonSplitter<unknown>();
  /** The start of a line whose newline has not arrived yet. */
  private partialLine = '';
  private doneSeen = false;
  private pendingFailure: ProviderError | null = null;

  constructor(
    source: ReadableStream<Uint8Array>,
    private readonly controller: AbortController,
    private readonly context: CallContext,
    private readonly settle: () => void,
  ) {
    this.reader = source.getReader();
  }

  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        pull: (output) => this.pull(output),
        cancel: (reason) => this.cancel(reason),
      },
      { highWaterMark: 0 },
    );
  }

  private async pull(output: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    try {
      await this.pullLines(output);
    } catch (error) {
      const failure = failureOf(error, this.controller.signal, this.context);
      this.controller.abort(failure);
      this.settle();
      throw failure;
    }
  }

  /** Reads until at least one line is complete, and passes the complete lines on. */
  private async pullLines(output: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (this.pendingFailure !== null) {
        throw this.pendingFailure;
      }
      const chunk = await this.readWithinIdleTime();
      const text = chunk.done
        ? this.decoder.decode()
        : this.decoder.decode(chunk.value, { stream: true });
      const values = this.parse(text, chunk.done);
      if (values.length > 0) {
        output.enqueue(
          this.encoder.encode(values.map((value) => `${JSON.stringify(value)}\n`).join('')),
        );
        return;
      }
      if (chunk.done && this.pendingFailure === null) {
        if (!this.doneSeen) {
          throw droppedError(this.context);
        }
        output.close();
        this.settle();
        return;
      }
    }
  }

  /** Parses the complete lines, stopping at the first bad one, which fails the next pull. */
  private parse(text: string, final: boolean): unknown[] {
    const values: unknown[] = [];
    if (!final && !text.includes('\n')) {
      // The line goes on: only the new text is searched, so a long line costs linear time.
      this.partialLine += text;
      if (this.partialLine.length > MAX_LINE_CHARS) {
        this.pendingFailure = new ProviderError(
          'too_large',
          `Ollama at ${this.context.baseUrl} sent a line of over ${MAX_LINE_CHARS / (1024 * 1024)} ` +
            'Mi characters without ending it, so the stream was stopped; check that the base URL ' +
            'points at Ollama.',
        );
      }
      return values;
    }
    this.partialLine += text;
    try {
      let end = this.partialLine.indexOf('\n');
      while (end !== -1) {
        const line = this.partialLine.slice(0, end + 1);
        this.partialLine = this.partialLine.slice(end + 1);
        values.push(...this.splitter.push(line).map((value) => checkLine(value, this.context)));
        end = this.partialLine.indexOf('\n');
      }
      if (final) {
        const rest = [...this.splitter.push(this.partialLine), ...this.splitter.end()];
        this.partialLine = '';
        values.push(...rest.map((value) => checkLine(value, this.context)));
      }
    } catch (error) {
      this.pendingFailure = failureOf(error, this.controller.signal, this.context);
    }
    this.doneSeen ||= values.some((value) => (value as { done?: unknown }).done === true);
    return values;
  }

  /** Reads the next chunk of the body, and aborts the request after `idleMs` without one. */
  private async readWithinIdleTime(): Promise<ReadableStreamReadResult<Uint8Array>> {
    const timer = setTimeout(
      () => this.controller.abort(timeoutError(this.context, 'idle')),
      this.context.timeouts.idleMs,
    );
    try {
      return await this.reader.read();
    } catch (error) {
      if (this.controller.signal.aborted) {
        throw failureOf(error, this.controller.signal, this.context);
      }
      throw droppedError(this.context, error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async cancel(reason: unknown): Promise<void> {
    this.controller.abort(reason);
    this.settle();
    await this.reader.cancel(reason).catch(() => undefined);
  }
}

/** Passes a line that is a JSON object; an `{"error": …}` line is Ollama failing mid-stream. */
function checkLine(value: unknown, context: CallContext): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const excerpt = JSON.stringify(value).slice(0, 80);
    throw malformedError(context, `a line is not a JSON object: ${excerpt}`);
  }
  const error = (value as { error?: unknown }).error;
  if (typeof error === 'string') {
    throw new ProviderError(
      'server',
      `Ollama at ${context.baseUrl} failed in the middle of the answer: "${error}".`,
      { providerMessage: error },
    );
  }
  return value;
}

async function httpError(response: Response, context: CallContext): Promise<ProviderError> {
  const text = await response.text().catch(() => '');
  const providerMessage = errorTextOf(text);
  const status = response.status;
  const details = { status, providerMessage };
  const where = `Ollama at ${context.baseUrl}`;
  const quoted = providerMessage === undefined ? '' : `: "${providerMessage}"`;
  if (status === 401 || status === 403) {
    return new ProviderError(
      'auth',
      `${where} rejected the request with HTTP ${status}${quoted}; check the key or headers its reverse proxy expects.`,
      details,
    );
  }
  if (status === 429) {
    const retryAfterMs = retryAfterMsOf(response.headers);
    const when = retryAfterMs === undefined ? 'later' : `in ${Math.ceil(retryAfterMs / 1000)} s`;
    return new ProviderError(
      'rate_limited',
      `${where} is rate limiting requests (HTTP 429); try again ${when}.`,
      { ...details, retryAfterMs },
    );
  }
  if (status === 404) {
    const message =
      context.model === null
        ? `${where} has no Ollama API (HTTP 404); set the base URL to the Ollama server, such as http://127.0.0.1:11434.`
        : `${where} has no model "${context.model}" (HTTP 404)${quoted}; pull it with \`ollama pull ${context.model}\` or sync the model list.`;
    return new ProviderError('not_found', message, details);
  }
  if (status >= 500) {
    return new ProviderError(
      'server',
      `${where} failed with HTTP ${status}${quoted}; check the Ollama server log.`,
      details,
    );
  }
  return new ProviderError(
    'bad_request',
    `${where} rejected the request with HTTP ${status}${quoted}.`,
    details,
  );
}

/** Extracts the message: Ollama sends `{"error": "…"}`, a proxy in front may send plain text. */
function errorTextOf(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (typeof parsed.error === 'string') {
      return parsed.error;
    }
  } catch {
    // Not JSON, so the text itself is the message.
  }
  const text = body.trim();
  return text === '' ? undefined : text.slice(0, 500);
}

/** Converts what a call threw to a ProviderError, preferring the reason the call was aborted. */
function failureOf(error: unknown, signal: AbortSignal, context: CallContext): ProviderError {
  const guardError = findProviderError(error);
  if (guardError !== null) {
    return guardError;
  }
  if (signal.aborted) {
    return signal.reason instanceof ProviderError ? signal.reason : abortedError(context);
  }
  return toProviderError(error, context);
}

/** Maps any error of a call to a ProviderError, such as a refused connection to `unreachable`. */
export function toProviderError(error: unknown, context: CallContext): ProviderError {
  const guardError = findProviderError(error);
  if (guardError !== null) {
    return guardError;
  }
  if (context.signal?.aborted === true || (error instanceof Error && error.name === 'AbortError')) {
    return abortedError(context);
  }
  const codes = errorCodes(error);
  const code = codes[0] ?? null;
  if (code !== null && TLS_ERROR_CODE.test(code)) {
    return new ProviderError(
      'tls',
      `The TLS connection to ${context.baseUrl} failed (${code}); check its certificate, or use http:// if the server has no TLS.`,
      { cause: error },
    );
  }
  const notHttp = notHttpError(codes, `Ollama at ${context.baseUrl}`, error);
  if (notHttp !== undefined) {
    return notHttp;
  }
  if (error instanceof TypeError && (code !== null || error.message === 'fetch failed')) {
    const reason = code === null ? '' : ` (${code})`;
    return new ProviderError(
      'unreachable',
      `Could not connect to Ollama at ${context.baseUrl}${reason}; check that Ollama is running and the base URL is right.`,
      { cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return malformedError(context, reason, error);
}

function abortedError(context: CallContext): ProviderError {
  const subject =
    context.model === null ? 'The request' : `The request for model "${context.model}"`;
  return new ProviderError('aborted', `${subject} to Ollama at ${context.baseUrl} was aborted.`);
}

function timeoutError(context: CallContext, phase: 'response' | 'idle'): ProviderError {
  const where = `Ollama at ${context.baseUrl}`;
  let message: string;
  if (phase === 'idle') {
    message = `${where} sent nothing for ${context.timeouts.idleMs} ms in the middle of the answer; try again.`;
  } else if (context.listing) {
    message = `${where} did not list its models within ${context.timeouts.requestMs} ms; check that the server is reachable and not overloaded.`;
  } else {
    message = `${where} sent no response within ${context.timeouts.requestMs} ms; the model may still be loading, so try again.`;
  }
  return new ProviderError('timeout', message);
}

export function droppedError(context: CallContext, cause?: unknown): ProviderError {
  return new ProviderError(
    'dropped',
    `The connection to Ollama at ${context.baseUrl} closed before the answer finished; try again.`,
    cause === undefined ? {} : { cause },
  );
}

export function malformedError(
  context: CallContext,
  reason: string,
  cause?: unknown,
): ProviderError {
  const detail =
    cause instanceof NdjsonError
      ? `line ${cause.line} is not JSON: ${JSON.stringify(cause.text.slice(0, 80))}`
      : reason;
  return new ProviderError(
    'malformed',
    `Ollama at ${context.baseUrl} sent a response that could not be read (${detail}); check that the base URL points at an Ollama server.`,
    cause === undefined ? {} : { cause },
  );
}
