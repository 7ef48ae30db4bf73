// The client for OpenAI and OpenAI-compatible servers (DeepSeek, Qwen on DashScope, vLLM, LM
// Studio, OpenRouter, Moonshot), built on the official `openai` SDK.
import OpenAI, { APIError, type ClientOptions } from 'openai';
import {
  SseEventTooLongError,
  SseParser,
  type SseEvent,
} from '../../../../shared/src/sse/codec.js';
import type { ProviderKind } from '../../../../shared/src/api/providers.js';
import type { PrivateNetworkAccess } from './addressPolicy.js';
import {
  malformedResponse,
  malformedStreamEvent,
  toProviderError,
  type AbortReason,
} from './openaiErrors.js';
import { listedModels } from './openaiModels.js';
import { buildChatBody, profileFor, type CompatibilityProfile } from './openaiProfiles.js';
import { ChunkReader, toCompletion } from './openaiResponses.js';
import { nodeChunks, releaseBody } from './httpTransport.js';
import { guardedProviderFetch } from './providerFetch.js';
import {
  ProviderError,
  type ClientTimeouts,
  type Completion,
  type CompletionRequest,
  type ListedModel,
  type ProviderClient,
  type ProviderConnection,
  type StreamEvent,
} from './types.js';

/**
 * The SDK refuses to start without a key, but local servers (vLLM, LM Studio) often need none.
 * Without a key this placeholder satisfies the SDK and the Authorization header is removed.
 */
const NO_KEY_PLACEHOLDER = 'no-key';

/** Settings shared by every call of one client. */
interface ClientSettings {
  sdkOptions: ClientOptions;
  timeouts: ClientTimeouts;
  /** The provider's host and port, for messages. */
  host: string;
  profile: CompatibilityProfile;
  privateNetworks: PrivateNetworkAccess;
}

/** Calls one OpenAI or OpenAI-compatible provider, shaping requests as openaiProfiles.ts lists. */
export class OpenAiClient implements ProviderClient {
  readonly kind: ProviderKind;
  private readonly settings: ClientSettings;

  /** Throws an Error naming the value when the base URL or a timeout is invalid. */
  constructor(connection: ProviderConnection, timeouts: ClientTimeouts) {
    this.kind = connection.kind;
    this.settings = clientSettings(connection, timeouts);
  }

  async listModels(signal?: AbortSignal): Promise<ListedModel[]> {
    const call = new ProviderCall(this.settings, { signal, mode: 'whole', model: null });
    try {
      const body = await call.sdk.get<unknown>('/models', { signal: call.signal });
      const models = listedModels(body);
      if (models === null) {
        throw malformedResponse(this.settings.host);
      }
      return models;
    } catch (error) {
      throw call.toError(error);
    } finally {
      call.end();
    }
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const call = new ProviderCall(this.settings, {
      signal: request.signal,
      mode: 'whole',
      model: request.model,
    });
    try {
      const body = { ...buildChatBody(this.settings.profile, request), stream: false as const };
      const response: unknown = await call.sdk.chat.completions.create(body, {
        signal: call.signal,
      });
      return toCompletion(response, this.settings.host);
    } catch (error) {
      throw call.toError(error);
    } finally {
      call.end();
    }
  }

  async *stream(request: CompletionRequest): AsyncGenerator<StreamEvent> {
    const call = new ProviderCall(this.settings, {
      signal: request.signal,
      mode: 'stream',
      model: request.model,
    });
    const reader = new ChunkReader(this.settings.host);
    try {
      const body = {
        ...buildChatBody(this.settings.profile, request),
        stream: true as const,
        stream_options: { include_usage: true },
      };
      // The SDK sends the request and turns an error status into its APIError. The body is read
      // here, because the SDK's stream reader copies the rest of its buffer after every event.
      const response = await call.sdk.chat.completions
        .create(body, { signal: call.signal })
        .asResponse();
      const chunks = streamedChunks(response, this.settings.host, () => call.touch());
      for await (const chunk of chunks) {
        yield* reader.read(chunk);
      }
      // The SDK ends its iterator quietly when the request is aborted, so check why it ended.
      if (call.abortReason !== null) {
        yield { type: 'error', error: call.toError(undefined) };
        return;
      }
      yield* reader.end();
    } catch (error) {
      const midAnswer = error instanceof SyntaxError && reader.chunkCount > 0;
      yield {
        type: 'error',
        error: midAnswer ? malformedStreamEvent(this.settings.host, error) : call.toError(error),
      };
    } finally {
      call.end();
    }
  }
}

/**
 * The maximum length of one stream event in characters. A chat completion chunk carries one
 * delta, usually a few hundred characters, so this only stops a provider that never ends an event.
 */
const MAX_EVENT_CHARS = 8 * 1024 * 1024;

/**
 * Yields the JSON chunks of a chat completion stream, read with the shared SSE parser, and calls
 * `onBytes` for every piece of the body, so bytes that carry no event, such as SSE keep-alive
 * comments, also count as activity. As in the SDK's own reader, the stream ends at
 * `data: [DONE]`, a chunk that is not JSON throws a SyntaxError, and a chunk with an `error`
 * field throws the SDK's APIError. The body is read as the transport's Node chunks when there are
 * some, which saves a web stream per answer.
 */
async function* streamedChunks(
  response: Response,
  host: string,
  onBytes: () => void,
): AsyncGenerator<unknown> {
  const body: AsyncIterable<Uint8Array> | null = nodeChunks(response) ?? response.body;
  if (body === null) {
    return;
  }
  const parser = new SseParser({ maxEventLength: MAX_EVENT_CHARS });
  for await (const bytes of body) {
    onBytes();
    let events: SseEvent[];
    try {
      events = parser.push(bytes);
    } catch (error) {
      if (error instanceof SseEventTooLongError) {
        throw new ProviderError(
          'too_large',
          `${host} sent a stream event of over ${MAX_EVENT_CHARS / (1024 * 1024)} Mi ` +
            'characters without ending it, so the stream was stopped; check that the base URL ' +
            "points at the provider's API.",
        );
      }
      throw error;
    }
    for (const event of events) {
      const chunk = parseChunk(event, response);
      if (chunk === DONE) {
        // The body may still hold the end of its encoding. Reading it keeps the connection.
        releaseBody(response);
        return;
      }
      yield chunk;
    }
  }
  for (const event of parser.end()) {
    const chunk = parseChunk(event, response);
    if (chunk === DONE) {
      return;
    }
    yield chunk;
  }
}

const DONE = Symbol('done');

function parseChunk(event: SseEvent, response: Response): unknown {
  if (event.data.startsWith('[DONE]')) {
    return DONE;
  }
  const chunk = JSON.parse(event.data) as unknown;
  const error = (chunk as { error?: unknown } | null)?.error;
  if (error !== undefined && error !== null && error !== false && error !== '') {
    throw new APIError(undefined, error, undefined, response.headers);
  }
  return chunk;
}

function clientSettings(connection: ProviderConnection, timeouts: ClientTimeouts): ClientSettings {
  let url: URL;
  try {
    url = new URL(connection.baseUrl);
  } catch {
    throw new Error(
      `Base URL ${JSON.stringify(connection.baseUrl)} is not a URL; use one such as https://api.openai.com/v1.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(
      `Base URL ${JSON.stringify(connection.baseUrl)} must start with http:// or https://.`,
    );
  }
  for (const [name, value] of Object.entries(timeouts)) {
    if (!Number.isInteger(value) || (value as number) <= 0) {
      throw new Error(
        `Timeout ${name} must be a whole number of milliseconds above 0, not ${String(value)}.`,
      );
    }
  }

  const hasKey = connection.apiKey !== null && connection.apiKey !== '';
  const sdkOptions: ClientOptions = {
    apiKey: hasKey ? connection.apiKey : NO_KEY_PLACEHOLDER,
    // Explicit nulls, so the SDK does not read OPENAI_ADMIN_KEY, OPENAI_ORG_ID or
    // OPENAI_PROJECT_ID from the server's environment and send them to a third-party host.
    // NOTE: the SDK (v6) still merges OPENAI_CUSTOM_HEADERS from the environment into every
    // request, and no option turns that off, so the server must not set that variable.
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    baseURL: connection.baseUrl,
    defaultHeaders: { ...(hasKey ? {} : { Authorization: null }), ...connection.headers },
    // The caller decides about retries, because the SDK would otherwise retry 429 and 5xx twice.
    maxRetries: 0,
    timeout: timeouts.requestMs,
    // Failures reach the caller as ProviderErrors, which the caller logs.
    logLevel: 'off',
  };
  return {
    sdkOptions,
    timeouts,
    host: url.host,
    profile: profileFor(connection),
    privateNetworks: connection.privateNetworks ?? 'allowed',
  };
}

interface CallOptions {
  signal: AbortSignal | undefined;
  /** `whole`: requestMs covers the whole call. `stream`: idleMs applies between chunks. */
  mode: 'whole' | 'stream';
  model: string | null;
}

/**
 * One SDK call with its own abort controller, time limits and response watcher. The SDK's own
 * timeout covers only the wait for response headers, so this adds the total limit of a call that
 * is not streamed and the idle limit between the body chunks of a stream.
 */
class ProviderCall {
  readonly sdk: OpenAI;
  abortReason: AbortReason | null = null;
  private readonly controller = new AbortController();
  private responseStarted = false;
  private errorBody: string | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly deadlineTimer: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly onCallerAbort = (): void => this.abort('caller');
  private readonly guardedFetch: typeof fetch;

  constructor(
    private readonly settings: ClientSettings,
    private readonly options: CallOptions,
  ) {
    this.guardedFetch = guardedProviderFetch({
      privateNetworks: settings.privateNetworks,
      streaming: options.mode === 'stream',
    });
    this.sdk = new OpenAI({
      ...settings.sdkOptions,
      fetch: (input, init) => this.fetch(input, init),
    });
    const { signal } = options;
    if (signal?.aborted === true) {
      this.abort('caller');
    } else {
      signal?.addEventListener('abort', this.onCallerAbort, { once: true });
    }
    if (options.mode === 'whole') {
      this.deadlineTimer = setTimeout(() => this.abort('deadline'), settings.timeouts.requestMs);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  toError(error: unknown): ProviderError {
    return toProviderError(error, {
      host: this.settings.host,
      model: this.options.model,
      timeouts: this.settings.timeouts,
      abortReason: this.abortReason,
      responseStarted: this.responseStarted,
      errorBody: this.errorBody,
    });
  }

  /** Stops the timers and closes the HTTP request if its response was not read to the end. */
  end(): void {
    this.ended = true;
    clearTimeout(this.idleTimer);
    clearTimeout(this.deadlineTimer);
    this.options.signal?.removeEventListener('abort', this.onCallerAbort);
    this.controller.abort();
  }

  private abort(reason: AbortReason): void {
    if (this.ended || this.abortReason !== null) {
      return;
    }
    this.abortReason = reason;
    this.controller.abort();
  }

  /** Restarts the idle limit; called when the headers and each body chunk of a stream arrive. */
  touch(): void {
    if (this.options.mode !== 'stream' || this.ended) {
      return;
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.abort('idle'), this.settings.timeouts.idleMs);
  }

  /**
   * Fetches for the SDK through the guarded fetch (see guardedProviderFetch). Error bodies are
   * read here to keep the provider's own message whatever its shape. The reader of a stream body
   * calls `touch` for each piece.
   */
  private async fetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const response = await this.guardedFetch(input, init);
    this.responseStarted = true;
    this.touch();
    if (!response.ok) {
      this.errorBody = await response.text();
      const nullBody = [204, 205, 304].includes(response.status);
      return new Response(nullBody ? null : this.errorBody, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    }
    return response;
  }
}
