// The Ollama client: the native API (`/api/tags`, `/api/show`, `/api/chat`) through the official
// `ollama` package, whose HTTP exchanges all go through the guarded fetch in ollamaFetch.ts.
import {
  Ollama,
  type AbortableAsyncIterator,
  type ChatRequest,
  type ChatResponse,
  type Message,
  type ShowResponse,
} from 'ollama';
import type { ModelCapability } from '../../../../shared/src/api/providers.js';
import {
  ReasoningSplitter,
  type TextPart,
} from '../../../../shared/src/streaming/reasoningSplitter.js';
import type {
  ChatTurn,
  ClientTimeouts,
  Completion,
  CompletionRequest,
  FinishReason,
  ListedModel,
  ProviderClient,
  ProviderConnection,
  ReasoningSetting,
  StreamEvent,
  TokenUsage,
} from './types.js';
import {
  droppedError,
  guardedFetch,
  malformedError,
  toProviderError,
  type CallContext,
} from './ollamaFetch.js';

/** How many `/api/show` calls run at once while listing models. */
const SHOW_CONCURRENCY = 4;

export class OllamaClient implements ProviderClient {
  readonly kind = 'ollama' as const;

  constructor(
    private readonly connection: ProviderConnection,
    private readonly timeouts: ClientTimeouts,
  ) {}

  async listModels(signal?: AbortSignal): Promise<ListedModel[]> {
    const context = this.context({ model: null, streaming: false, listing: true, signal });
    const list = await this.sdk(context)
      .list()
      .catch((error: unknown) => {
        throw toProviderError(error, context);
      });

    if (!Array.isArray(list.models)) {
      throw malformedError(context, 'the /api/tags response has no models list');
    }
    const names = list.models
      .map((model) => model.name ?? model.model)
      .filter((name) => typeof name === 'string');

    return mapConcurrently(names, SHOW_CONCURRENCY, (name) => this.describeModel(name, signal));
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    const context = this.context({
      model: request.model,
      streaming: false,
      listing: false,
      signal: request.signal,
    });
    const response = await this.sdk(context)
      .chat({ ...chatRequest(request), stream: false })
      .catch((error: unknown) => {
        throw toProviderError(error, context);
      });

    const events = new ChatEventMapper();
    return completionOf([...events.fromChunk(response), ...events.end()]);
  }

  async *stream(request: CompletionRequest): AsyncGenerator<StreamEvent> {
    const context = this.context({
      model: request.model,
      streaming: true,
      listing: false,
      signal: request.signal,
    });
    const events = new ChatEventMapper();
    let chunks: AbortableAsyncIterator<ChatResponse> | null = null;
    try {
      chunks = await this.sdk(context).chat({ ...chatRequest(request), stream: true });
      for await (const chunk of chunks) {
        yield* events.fromChunk(chunk);
      }
      if (!events.finished) {
        throw droppedError(context);
      }
    } catch (error) {
      yield* events.end();
      yield { type: 'error', error: toProviderError(error, context) };
    } finally {
      // Closes the HTTP request when the caller stopped reading early; harmless after the end.
      chunks?.abort();
    }
  }

  /** Lists one model with its details, or with unknown details when `/api/show` fails for it. */
  private async describeModel(name: string, signal: AbortSignal | undefined): Promise<ListedModel> {
    const context = this.context({ model: name, streaming: false, listing: true, signal });
    try {
      return listedModel(name, await this.sdk(context).show({ model: name }));
    } catch (error) {
      const failure = toProviderError(error, context);
      // An abort ends the whole listing. So does a rejected address, a redirect or an oversized
      // body, because the request for every other model would meet it too.
      if (['aborted', 'blocked_address', 'redirected', 'too_large'].includes(failure.code)) {
        throw failure;
      }
      // NOTE: the failure is not logged, because the client has no logger. The model is listed
      // with unknown details so that one broken model does not hide the others.
      return listedModel(name, null);
    }
  }

  private context(
    call: Omit<CallContext, 'baseUrl' | 'timeouts' | 'privateNetworks'>,
  ): CallContext {
    return {
      ...call,
      baseUrl: this.connection.baseUrl,
      timeouts: this.timeouts,
      privateNetworks: this.connection.privateNetworks ?? 'allowed',
    };
  }

  /** Creates an SDK instance whose fetch is guarded for this one call. */
  private sdk(context: CallContext): Ollama {
    const headers: Record<string, string> = { ...this.connection.headers };
    if (this.connection.apiKey !== null && this.connection.apiKey !== '') {
      // Ollama has no keys, so this is for an authenticating reverse proxy in front of it.
      headers.Authorization = `Bearer ${this.connection.apiKey}`;
    }
    return new Ollama({
      host: this.connection.baseUrl,
      headers,
      fetch: guardedFetch(context),
    });
  }
}

/** Builds the `/api/chat` body, with the system prompt as the first message. */
function chatRequest(request: CompletionRequest): ChatRequest {
  const messages: Message[] = [];
  if (request.system !== undefined && request.system !== null && request.system !== '') {
    messages.push({ role: 'system', content: request.system });
  }
  messages.push(...request.messages.map(chatMessage));
  const { params } = request;
  const body: ChatRequest = {
    model: request.model,
    messages,
    options: {
      temperature: params.temperature,
      top_p: params.topP,
      num_predict: params.maxTokens,
      ...(params.topK > 0 ? { top_k: params.topK } : {}),
    },
  };
  if (params.reasoning !== undefined && params.reasoning !== null) {
    body.think = thinkValue(request.model, params.reasoning);
  }
  return body;
}

/** Converts an earlier turn. Ollama takes an assistant's reasoning in the message's `thinking`. */
function chatMessage(turn: ChatTurn): Message {
  const reasoning =
    turn.reasoning ??
    turn.reasoningBlocks?.map((block) => (block.type === 'thinking' ? block.text : '')).join('');
  if (turn.role === 'assistant' && reasoning !== undefined && reasoning !== '') {
    return { role: 'assistant', content: turn.content, thinking: reasoning };
  }
  return { role: turn.role, content: turn.content };
}

/**
 * Chooses the `think` value. GPT-OSS takes an effort level and ignores `true`, as
 * docs.ollama.com/capabilities/thinking states. Other thinking models take a boolean and have no
 * levels or budgets.
 */
function thinkValue(model: string, reasoning: ReasoningSetting): ChatRequest['think'] {
  const baseName = model.split('/').pop()?.toLowerCase() ?? '';
  if (!baseName.startsWith('gpt-oss')) {
    return true;
  }
  switch (reasoning.effort) {
    case 'minimal':
    case 'low':
      return 'low';
    case 'high':
      return 'high';
    default:
      return 'medium';
  }
}

/** Maps `/api/chat` chunks to stream events. A response that is not streamed is one chunk. */
class ChatEventMapper {
  finished = false;
  private readonly splitter = new ReasoningSplitter();
  /** Set once Ollama parsed the reasoning itself, so the content contains no `<think>` tags. */
  private thinkingFieldSeen = false;

  fromChunk(chunk: ChatResponse): StreamEvent[] {
    const events: StreamEvent[] = [];
    const thinking = chunk.message?.thinking ?? '';
    if (thinking !== '') {
      events.push(...this.end());
      this.thinkingFieldSeen = true;
      events.push({ type: 'reasoning', text: thinking });
    }
    const content = chunk.message?.content ?? '';
    if (content !== '') {
      const parts = this.thinkingFieldSeen
        ? [{ kind: 'content' as const, text: content }]
        : this.splitter.push(content);
      events.push(...parts.map(partEvent));
    }
    if (chunk.done) {
      events.push(...this.end());
      events.push({ type: 'usage', usage: usageOf(chunk) });
      events.push({
        type: 'finish',
        reason: finishReasonOf(chunk.done_reason),
        providerReason: chunk.done_reason ?? null,
      });
      this.finished = true;
    }
    return events;
  }

  /** Flushes text the `<think>` splitter held back. */
  end(): StreamEvent[] {
    return this.splitter.end().map(partEvent);
  }
}

function partEvent(part: TextPart): StreamEvent {
  return { type: part.kind, text: part.text };
}

function usageOf(chunk: ChatResponse): TokenUsage {
  // Ollama's eval_count counts every generated token, thinking included, with no separate count.
  return {
    promptTokens: chunk.prompt_eval_count ?? 0,
    completionTokens: chunk.eval_count ?? 0,
    reasoningTokens: 0,
  };
}

/** Ollama's `done_reason` is `stop` or `length`, or `load`/`unload` for calls with no messages. */
function finishReasonOf(doneReason: string | undefined): FinishReason {
  return doneReason === 'length' ? 'length' : 'stop';
}

function completionOf(events: StreamEvent[]): Completion {
  const completion: Completion = {
    content: '',
    reasoning: '',
    reasoningBlocks: [],
    usage: null,
    finishReason: 'stop',
    providerReason: null,
  };
  for (const event of events) {
    if (event.type === 'content') {
      completion.content += event.text;
    } else if (event.type === 'reasoning') {
      completion.reasoning += event.text;
    } else if (event.type === 'usage') {
      completion.usage = event.usage;
    } else if (event.type === 'finish') {
      completion.finishReason = event.reason;
      completion.providerReason = event.providerReason;
    }
  }
  return completion;
}

/** Ollama's capability words mapped to the shared vocabulary; others, such as `insert`, drop. */
const CAPABILITY_WORDS: Record<string, ModelCapability> = {
  completion: 'chat',
  thinking: 'reasoning',
  vision: 'vision',
  embedding: 'embedding',
  tools: 'tools',
};

/**
 * Builds a model entry from its `/api/show` details. The type is reasoning for a model that can
 * think, vision for one that takes images, embedding for one that only embeds, else chat. A
 * model whose details are unknown counts as a chat model.
 */
function listedModel(name: string, show: ShowResponse | null): ListedModel {
  const reported: unknown = show?.capabilities;
  const words = Array.isArray(reported)
    ? reported.filter((word): word is string => typeof word === 'string')
    : ['completion'];
  const capabilities = [
    ...new Set(words.flatMap((word) => CAPABILITY_WORDS[word] ?? [])),
  ] as ModelCapability[];
  const has = (capability: ModelCapability): boolean => capabilities.includes(capability);
  let type: ListedModel['type'] = 'chat';
  if (has('reasoning')) {
    type = 'reasoning';
  } else if (has('vision')) {
    type = 'vision';
  } else if (has('embedding') && !has('chat')) {
    type = 'embedding';
  }
  return {
    modelId: name,
    displayName: name.endsWith(':latest') ? name.slice(0, -':latest'.length) : name,
    type,
    capabilities,
    contextLength: contextLengthOf(show?.model_info),
  };
}

/** Finds the context length, which `model_info` keeps as `<architecture>.context_length`. */
function contextLengthOf(modelInfo: unknown): number | null {
  if (typeof modelInfo !== 'object' || modelInfo === null) {
    return null;
  }
  const info = modelInfo as Record<string, unknown>;
  const architecture = info['general.architecture'];
  const exact = typeof architecture === 'string' ? info[`${architecture}.context_length`] : null;
  if (typeof exact === 'number') {
    return exact;
  }
  const key = Object.keys(info).find(
    (candidate) => candidate.endsWith('.context_length') && typeof info[candidate] === 'number',
  );
  return key === undefined ? null : (info[key] as number);
}

async function mapConcurrently<T, R>(
  items: T[],
  limit: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
