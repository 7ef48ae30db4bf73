// The one client interface the server uses for every provider. Each kind of provider has its own
// implementation built on that provider's official SDK; callers see only these types.
import type { ApiProviderModel, ProviderKind } from '../../../../shared/src/api/providers.js';
import type { PrivateNetworkAccess } from './addressPolicy.js';

/** The address and credentials of a provider, with the key and header values decrypted. */
export interface ProviderConnection {
  kind: ProviderKind;
  /** The normalised base URL as stored, such as `https://api.openai.com/v1`. */
  baseUrl: string;
  apiKey: string | null;
  /** Custom headers sent with every request. */
  headers: Record<string, string>;
  /**
   * OpenAI-compatible kinds only: the message field that carries earlier assistant reasoning
   * (`reasoning_content` or `reasoning`), or `omit` to send none. Unset, the client infers it
   * from the base URL host.
   */
  reasoningHistory?: 'omit' | 'reasoning_content' | 'reasoning';
  /**
   * Whether requests may go to loopback and private-network addresses. Link-local and cloud
   * metadata addresses are rejected either way. Unset means `allowed`, as for a connection a test
   * builds; providerConnection always sets it from the server's policy.
   */
  privateNetworks?: PrivateNetworkAccess;
}

/**
 * One block of reasoning an assistant turn produced. Anthropic signs each thinking block and
 * expects it back unchanged with its signature; a redacted block carries only opaque data.
 */
export type ReasoningBlock =
  { type: 'thinking'; text: string; signature: string | null } | { type: 'redacted'; data: string };

/** A turn of the conversation in provider-neutral form. */
export interface ChatTurn {
  role: 'user' | 'assistant';
  content: string;
  /** The reasoning text shown to the user for an earlier assistant turn. */
  reasoning?: string;
  /** The reasoning blocks of an earlier assistant turn, as the provider sent them. */
  reasoningBlocks?: ReasoningBlock[];
}

/** How much the model may think: an effort level (OpenAI style) or a token budget (Anthropic). */
export interface ReasoningSetting {
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  budgetTokens?: number;
}

/** Sampling parameters as a model config stores them; each client maps them for its provider. */
export interface GenerationParams {
  temperature: number;
  maxTokens: number;
  topP: number;
  /** 0 means the provider's default; providers without top_k ignore it. */
  topK: number;
  reasoning?: ReasoningSetting | null;
}

export interface CompletionRequest {
  model: string;
  /** The system prompt, placed where the provider wants it. */
  system?: string | null;
  messages: ChatTurn[];
  params: GenerationParams;
  signal?: AbortSignal;
}

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** Reasoning tokens where the provider reports them, else 0. They are part of completionTokens. */
  reasoningTokens: number;
}

/** The reason the model stopped, normalised across providers. */
export type FinishReason =
  'stop' | 'length' | 'content_filter' | 'tool_calls' | 'aborted' | 'error';

/** The normalised events every stream yields, in order; `finish` or `error` comes last. */
export type StreamEvent =
  | { type: 'reasoning'; text: string }
  /** A finished reasoning block with its signature, for sending back in later turns. */
  | { type: 'reasoning-block'; block: ReasoningBlock }
  | { type: 'content'; text: string }
  | { type: 'usage'; usage: TokenUsage }
  | { type: 'finish'; reason: FinishReason; providerReason: string | null }
  | { type: 'error'; error: ProviderError };

/** The whole answer of a call that was not streamed, or a stream collected to its end. */
export interface Completion {
  content: string;
  reasoning: string;
  reasoningBlocks: ReasoningBlock[];
  usage: TokenUsage | null;
  finishReason: FinishReason;
  providerReason: string | null;
}

/** A model as the provider's model list describes it. */
export type ListedModel = Omit<ApiProviderModel, 'id'>;

/** The kinds of failure a caller can tell apart, each with its own message. */
export type ProviderErrorCode =
  /** 401 or 403: the key was rejected or is missing. */
  | 'auth'
  /** 429; `retryAfterMs` contains the provider's Retry-After when it sent one. */
  | 'rate_limited'
  /** 404: usually a wrong base URL or an unknown model. */
  | 'not_found'
  /** Another 4xx: the provider rejected the request itself. */
  | 'bad_request'
  /** 5xx from the provider. */
  | 'server'
  /** Connection refused, DNS failure, connection reset before a response. */
  | 'unreachable'
  /** A TLS failure: bad certificate, wrong protocol. */
  | 'tls'
  /** No response, or no next chunk, within the time limit. */
  | 'timeout'
  /** The response or a chunk could not be parsed. */
  | 'malformed'
  /** The connection closed before the stream finished. */
  | 'dropped'
  /** The caller aborted through its AbortSignal. */
  | 'aborted'
  /** The provider answered with a redirect, which is never followed. */
  | 'redirected'
  /** The base URL host is an address the server's policy does not let this provider reach. */
  | 'blocked_address'
  /** A response that is not streamed passed the size limit. */
  | 'too_large';

/** A failed provider call, with the provider's own error text where it sent one. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';

  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly details: {
      status?: number;
      providerMessage?: string;
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
  }
}

/** Time limits for one call; tests shorten them. */
export interface ClientTimeouts {
  /** Until the response headers arrive, and for a call that is not streamed, its body. */
  requestMs: number;
  /** Between two chunks of a stream, counting from the response headers. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { requestMs: 60_000, idleMs: 120_000 };

/** The client every provider kind implements. */
export interface ProviderClient {
  readonly kind: ProviderKind;
  /** Lists the provider's models with their type, capabilities and context length where known. */
  listModels(signal?: AbortSignal): Promise<ListedModel[]>;
  /** One answer, not streamed. */
  complete(request: CompletionRequest): Promise<Completion>;
  /**
   * Streams one answer. Never throws: failures, aborts included, end the stream with one
   * `error` event, and the iterator always ends.
   */
  stream(request: CompletionRequest): AsyncIterable<StreamEvent>;
}
