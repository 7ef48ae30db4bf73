// The Anthropic client, built on the official SDK and the Messages API. It lists models page by
// page and reads a response as a whole message or as server-sent events. Extended thinking goes
// back with its signatures, and every SDK failure becomes a ProviderError.
import type Anthropic from '@anthropic-ai/sdk';
import type { Middleware } from '@anthropic-ai/sdk';
import {
  AnthropicBlockAccumulator,
  type AnthropicBlockUpdate,
} from '../../../../shared/src/streaming/anthropicBlocks.js';
import { describeFailure } from './anthropicErrors.js';
import { describeModel, readModelPage } from './anthropicModels.js';
import { createSdk } from './anthropicSdk.js';
import { findProviderError } from './providerFetch.js';
import {
  ProviderError,
  type ChatTurn,
  type ClientTimeouts,
  type Completion,
  type CompletionRequest,
  type FinishReason,
  type GenerationParams,
  type ListedModel,
  type ProviderClient,
  type ProviderConnection,
  type ProviderErrorCode,
  type StreamEvent,
  type TokenUsage,
} from './types.js';

type MessageParams = Omit<Anthropic.MessageCreateParamsNonStreaming, 'stream'>;
/** Sampling fields that SDK 1.x no longer types, because its default API version rejects them. */
type SamplingParams = { temperature?: number; top_p?: number; top_k?: number };
type SdkUsage = {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens: number } | null;
};

/** The API version that still takes sampling parameters. A provider opts in with this header. */
const SAMPLING_API_VERSION = '2023-06-01';

/** Anthropic rejects a thinking budget below this many tokens. */
const MIN_THINKING_BUDGET = 1024;

/**
 * Share of max_tokens given to thinking for each effort level. Anthropic takes a token budget, not
 * an effort, so this follows the shares OpenRouter documents for the same translation.
 */
const EFFORT_BUDGET_SHARE = { minimal: 0.1, low: 0.2, medium: 0.5, high: 0.8 } as const;

/** Listing stops with an error after this many pages, 5,000 models at 100 a page. */
const MAX_MODEL_PAGES = 50;

/**
 * Models that accept temperature and top_p in one request. From Claude Opus 4.1 on, Anthropic
 * rejects requests that set both, so only temperature is sent to the others.
 */
const BOTH_SAMPLERS_MODEL = /^claude-(?:3|opus-4-2025|sonnet-4-2025)/;

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

/** Why a call was ended from this side: the caller's signal, a time limit, or an idle stream. */
type StopReason = 'aborted' | 'deadline' | 'idle';

/** The abort controller of one call, tied to the caller's signal and to its timers. */
class CallGuard {
  readonly controller = new AbortController();
  reason: StopReason | null = null;
  /** Whether the response headers arrived, which makes a lost connection a drop. */
  responded = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly callerSignal: AbortSignal | undefined) {
    if (callerSignal?.aborted === true) {
      this.stop('aborted');
    }
    callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
  }

  /** (Re)starts the timer that ends the call with `reason` after `ms` without a reset. */
  arm(ms: number, reason: StopReason): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.stop(reason), ms);
  }

  stop(reason: StopReason): void {
    this.reason ??= reason;
    this.controller.abort();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
    this.controller.abort();
  }

  private readonly onCallerAbort = () => this.stop('aborted');
}

export class AnthropicClient implements ProviderClient {
  readonly kind = 'anthropic' as const;
  /** The SDK for calls whose response is read whole, with the size limit of such bodies. */
  private readonly sdk: Anthropic;
  /** The SDK for streamed calls, whose body the idle limit watches instead. */
  private readonly streamingSdk: Anthropic;
  /** Whether the provider pins the API version that accepts temperature, top_p and top_k. */
  private readonly withSampling: boolean;

  constructor(
    private readonly connection: ProviderConnection,
    private readonly timeouts: ClientTimeouts,
  ) {
    this.sdk = createSdk(connection, timeouts, false);
    this.streamingSdk = createSdk(connection, timeouts, true);
    this.withSampling = Object.entries(connection.headers).some(
      ([name, value]) =>
        name.toLowerCase() === 'anthropic-version' && value.trim() === SAMPLING_API_VERSION,
    );
  }

  async listModels(signal?: AbortSignal): Promise<ListedModel[]> {
    const guard = new CallGuard(signal);
    guard.arm(this.timeouts.requestMs, 'deadline');
    try {
      return await this.listPages(guard);
    } catch (error) {
      throw this.toProviderError(error, guard, true);
    } finally {
      guard.dispose();
    }
  }

  /**
   * Reads the model list page by page, checking each page's shape. It stops with a `malformed`
   * error when a page repeats an earlier cursor or after MAX_MODEL_PAGES pages, because a server
   * that always reports `has_more` would otherwise be asked for pages until the time limit.
   */
  private async listPages(guard: CallGuard): Promise<ListedModel[]> {
    const models: ListedModel[] = [];
    const cursors = new Set<string>();
    let afterId: string | null = null;
    for (let page = 1; ; page += 1) {
      const body = await this.sdk.get<unknown>('/v1/models', {
        query: { limit: 100, ...(afterId === null ? {} : { after_id: afterId }) },
        signal: guard.controller.signal,
        middleware: [this.watch(guard, false)],
      });
      const parsed = readModelPage(body, this.connection.baseUrl);
      models.push(...parsed.models.map(describeModel));
      if (!parsed.hasMore) {
        return models;
      }
      if (parsed.lastId === null || cursors.has(parsed.lastId)) {
        throw this.pagingError(
          `page ${page} repeats the cursor ${JSON.stringify(parsed.lastId)}, so the list would never end`,
        );
      }
      if (page >= MAX_MODEL_PAGES) {
        throw this.pagingError(`it still had more after ${MAX_MODEL_PAGES} pages`);
      }
      cursors.add(parsed.lastId);
      afterId = parsed.lastId;
    }
  }

  private pagingError(reason: string): ProviderError {
    return new ProviderError(
      'malformed',
      `The model list of ${this.connection.baseUrl} was not read to its end: ${reason}; check that the base URL points at the Anthropic API.`,
    );
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const guard = new CallGuard(request.signal);
    guard.arm(this.timeouts.requestMs, 'deadline');
    try {
      const params = buildMessageParams(request, this.withSampling);
      const message = await this.sdk.messages.create(
        { ...params, stream: false },
        { signal: guard.controller.signal, middleware: [this.watch(guard, false)] },
      );
      const completion: Completion = {
        content: '',
        reasoning: '',
        reasoningBlocks: [],
        usage: toTokenUsage(message.usage, null),
        finishReason: toFinishReason(message.stop_reason),
        providerReason: message.stop_reason,
      };
      for (const update of AnthropicBlockAccumulator.fromContent(message.content)) {
        addToCompletion(completion, update);
      }
      return completion;
    } catch (error) {
      throw this.toProviderError(error, guard);
    } finally {
      guard.dispose();
    }
  }

  async *stream(request: CompletionRequest): AsyncGenerator<StreamEvent> {
    const guard = new CallGuard(request.signal);
    try {
      yield* this.streamEvents(request, guard);
    } catch (error) {
      yield { type: 'error', error: this.toProviderError(error, guard) };
    } finally {
      guard.dispose();
    }
  }

  private async *streamEvents(
    request: CompletionRequest,
    guard: CallGuard,
  ): AsyncGenerator<StreamEvent> {
    const params = buildMessageParams(request, this.withSampling);
    const events = await this.streamingSdk.messages.create(
      { ...params, stream: true },
      { signal: guard.controller.signal, middleware: [this.watch(guard, true)] },
    );
    const blocks = new AnthropicBlockAccumulator();
    let usage: TokenUsage | null = null;
    let providerReason: string | null = null;
    let stopped = false;

    for await (const event of events) {
      switch (event.type) {
        case 'message_start':
          usage = toTokenUsage(event.message.usage, null);
          break;
        case 'content_block_start':
          yield* blocks.start(event.index, event.content_block);
          break;
        case 'content_block_delta':
          yield* blocks.delta(event.index, event.delta);
          break;
        case 'content_block_stop':
          yield* blocks.stop(event.index);
          break;
        case 'message_delta':
          providerReason = event.delta.stop_reason ?? providerReason;
          usage = toTokenUsage(event.usage, usage);
          break;
        case 'message_stop':
          stopped = true;
          break;
      }
    }

    // The SDK ends the iteration quietly when the call is aborted, so the guard records why.
    if (guard.reason !== null || !stopped) {
      throw this.toProviderError(null, guard);
    }
    if (usage !== null) {
      yield { type: 'usage', usage };
    }
    yield { type: 'finish', reason: toFinishReason(providerReason), providerReason };
  }

  /**
   * Notes that the response headers arrived, so a lost connection counts as a drop. For a stream
   * it also starts the idle timer and restarts it on every chunk of the body. The SDK drops `ping`
   * events before they reach the caller, so only the raw bytes show that a response still comes.
   */
  private watch(guard: CallGuard, streamed: boolean): Middleware {
    return async (request, next) => {
      const response = await next(request);
      guard.responded = true;
      if (!streamed || !response.ok || response.body === null) {
        return response;
      }
      guard.arm(this.timeouts.idleMs, 'idle');
      const touch = new TransformStream<Uint8Array, Uint8Array>({
        transform: (chunk, controller) => {
          guard.arm(this.timeouts.idleMs, 'idle');
          controller.enqueue(chunk);
        },
      });
      return new Response(response.body.pipeThrough(touch), response);
    };
  }

  private toProviderError(error: unknown, guard: CallGuard, listing = false): ProviderError {
    if (error instanceof ProviderError) {
      return error;
    }
    const { requestMs, idleMs } = this.timeouts;
    const fail = (code: ProviderErrorCode, message: string) =>
      new ProviderError(code, message, { cause: error });
    const where = `Anthropic at ${this.connection.baseUrl}`;
    switch (guard.reason) {
      case 'aborted':
        return fail('aborted', `The request to ${where} was aborted.`);
      case 'deadline':
        return fail('timeout', `The request to ${where} timed out after ${requestMs} ms.`);
      case 'idle':
        return fail(
          'timeout',
          `${where} sent nothing for ${idleMs} ms in the middle of the answer; try again.`,
        );
      case null:
        return (
          findProviderError(error) ??
          describeFailure(error, {
            responded: guard.responded,
            baseUrl: this.connection.baseUrl,
            requestMs,
            listing,
          })
        );
    }
  }
}

/**
 * Builds the Messages API body for a request. Sampling parameters go only to API version
 * 2023-06-01, because version 2026-10-21, which SDK 1.x sends, rejects them with a 400.
 */
function buildMessageParams(request: CompletionRequest, withSampling: boolean): MessageParams {
  const { params } = request;
  if (!Number.isInteger(params.maxTokens) || params.maxTokens < 1) {
    throw badParameter(
      `Max tokens ${params.maxTokens} is invalid: Anthropic requires max_tokens, a whole number of at least 1. Set max tokens in the model config.`,
    );
  }
  const body: MessageParams = {
    model: request.model,
    max_tokens: params.maxTokens,
    messages: request.messages.map(toMessageParam),
  };
  if (request.system !== undefined && request.system !== null && request.system.trim() !== '') {
    body.system = request.system;
  }
  const budget = thinkingBudget(params);
  if (budget !== null) {
    body.thinking = { type: 'enabled', budget_tokens: budget };
  }
  return withSampling ? { ...body, ...samplingParams(request, budget !== null) } : body;
}

/** Temperature, top_p and top_k as API version 2023-06-01 takes them. */
function samplingParams(request: CompletionRequest, thinking: boolean): SamplingParams {
  const { temperature, topP, topK } = request.params;
  if (thinking) {
    // Thinking takes no temperature other than 1 and no top_k, and top_p only from 0.95 to 1.
    return topP >= 0.95 && topP < 1 ? { top_p: topP } : {};
  }
  if (temperature < 0 || temperature > 1) {
    throw badParameter(
      `Temperature ${temperature} is outside Anthropic's range of 0 to 1. Set a temperature between 0 and 1.`,
    );
  }
  const sampling: SamplingParams = { temperature };
  if (BOTH_SAMPLERS_MODEL.test(request.model) && topP > 0 && topP < 1) {
    sampling.top_p = topP;
  }
  if (topK > 0) {
    sampling.top_k = topK;
  }
  return sampling;
}

/**
 * Returns the thinking budget for these parameters, or null when thinking is off. A set budget
 * wins over an effort. NOTE: Anthropic documents that Claude 4.7 and later models take only
 * `adaptive` thinking. They reject this `enabled` form with a 400, which arrives as bad_request.
 */
function thinkingBudget(params: GenerationParams): number | null {
  const { reasoning, maxTokens } = params;
  if (reasoning?.budgetTokens !== undefined) {
    const budget = reasoning.budgetTokens;
    if (!Number.isInteger(budget)) {
      throw badParameter(
        `Thinking budget ${budget} is not a whole number of tokens. Set a whole number of ${MIN_THINKING_BUDGET} or more.`,
      );
    }
    if (budget < MIN_THINKING_BUDGET) {
      throw badParameter(
        `Thinking budget ${budget} is below Anthropic's minimum of ${MIN_THINKING_BUDGET} tokens. Set a budget of ${MIN_THINKING_BUDGET} or more.`,
      );
    }
    if (budget >= maxTokens) {
      throw badParameter(
        `Thinking budget ${budget} must be below max tokens ${maxTokens}. Raise max tokens above ${budget} or lower the budget.`,
      );
    }
    return budget;
  }
  if (reasoning?.effort === undefined) {
    return null;
  }
  if (maxTokens <= MIN_THINKING_BUDGET) {
    throw badParameter(
      `Max tokens ${maxTokens} leaves no room for thinking, which needs a budget of at least ${MIN_THINKING_BUDGET} tokens below max tokens. Raise max tokens above ${MIN_THINKING_BUDGET} or turn reasoning off.`,
    );
  }
  const share = Math.floor(maxTokens * EFFORT_BUDGET_SHARE[reasoning.effort]);
  return Math.min(Math.max(share, MIN_THINKING_BUDGET), maxTokens - 1);
}

/**
 * Converts one turn to a Messages API message. An earlier assistant turn sends its reasoning
 * blocks first, unchanged and in their order, because Anthropic checks each signature and keeps
 * what it needs (during tool use it requires them). A thinking block without a signature, from a
 * stream cut short, would be rejected. Anthropic allows leaving out earlier turns' thinking, so
 * such a block is left out. NOTE: a signature may not verify under another model, so the caller
 * should drop the blocks of turns from a different model.
 */
function toMessageParam(turn: ChatTurn): Anthropic.MessageParam {
  const blocks = turn.role === 'assistant' ? (turn.reasoningBlocks ?? []) : [];
  if (blocks.length === 0) {
    return { role: turn.role, content: turn.content };
  }
  const content: Anthropic.ContentBlockParam[] = [];
  for (const block of blocks) {
    if (block.type === 'redacted') {
      content.push({ type: 'redacted_thinking', data: block.data });
    } else if (block.signature !== null) {
      content.push({ type: 'thinking', thinking: block.text, signature: block.signature });
    }
  }
  if (turn.content !== '') {
    content.push({ type: 'text', text: turn.content });
  }
  return { role: 'assistant', content };
}

function toTokenUsage(usage: SdkUsage, previous: TokenUsage | null): TokenUsage {
  const input =
    usage.input_tokens === null || usage.input_tokens === undefined
      ? null
      : usage.input_tokens +
        (usage.cache_creation_input_tokens ?? 0) +
        (usage.cache_read_input_tokens ?? 0);
  return {
    promptTokens: input ?? previous?.promptTokens ?? 0,
    completionTokens: usage.output_tokens ?? previous?.completionTokens ?? 0,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? previous?.reasoningTokens ?? 0,
  };
}

function toFinishReason(stopReason: string | null): FinishReason {
  return stopReason === null ? 'stop' : (FINISH_REASONS[stopReason] ?? 'stop');
}

function addToCompletion(completion: Completion, update: AnthropicBlockUpdate): void {
  if (update.type === 'reasoning') {
    completion.reasoning += update.text;
  } else if (update.type === 'content') {
    completion.content += update.text;
  } else {
    completion.reasoningBlocks.push(update.block);
  }
}

function badParameter(message: string): ProviderError {
  return new ProviderError('bad_request', message);
}
