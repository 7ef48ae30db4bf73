// Picks the client for a provider's kind and collects streams into whole answers.
import { AnthropicClient } from './anthropic.js';
import { OllamaClient } from './ollama.js';
import { OpenAiClient } from './openai.js';
import { SecretScrubber } from './secretScrubber.js';
import {
  DEFAULT_TIMEOUTS,
  ProviderError,
  type ClientTimeouts,
  type Completion,
  type CompletionRequest,
  type ListedModel,
  type ProviderClient,
  type ProviderConnection,
  type StreamEvent,
} from './types.js';

export * from './types.js';

/**
 * Creates the client for the connection's kind; `openai-compatible` servers share the OpenAI
 * client. Every ProviderError it throws or streams has the connection's key and header values
 * removed from its text (see SecretScrubber).
 */
export function createProviderClient(
  connection: ProviderConnection,
  timeouts: ClientTimeouts = DEFAULT_TIMEOUTS,
): ProviderClient {
  const secrets = [connection.apiKey ?? '', ...Object.values(connection.headers)];
  return new ScrubbingClient(kindClient(connection, timeouts), new SecretScrubber(secrets));
}

function kindClient(connection: ProviderConnection, timeouts: ClientTimeouts): ProviderClient {
  switch (connection.kind) {
    case 'openai':
    case 'openai-compatible':
      return new OpenAiClient(connection, timeouts);
    case 'anthropic':
      return new AnthropicClient(connection, timeouts);
    case 'ollama':
      return new OllamaClient(connection, timeouts);
  }
}

/** Passes calls to a kind's client and scrubs the secrets out of its errors. */
class ScrubbingClient implements ProviderClient {
  readonly kind: ProviderClient['kind'];

  constructor(
    private readonly inner: ProviderClient,
    private readonly scrubber: SecretScrubber,
  ) {
    this.kind = inner.kind;
  }

  async listModels(signal?: AbortSignal): Promise<ListedModel[]> {
    try {
      return await this.inner.listModels(signal);
    } catch (error) {
      throw this.scrubbed(error);
    }
  }

  async complete(request: CompletionRequest): Promise<Completion> {
    try {
      return await this.inner.complete(request);
    } catch (error) {
      throw this.scrubbed(error);
    }
  }

  async *stream(request: CompletionRequest): AsyncGenerator<StreamEvent> {
    for await (const event of this.inner.stream(request)) {
      yield event.type === 'error' ? { type: 'error', error: this.scrubbed(event.error) } : event;
    }
  }

  private scrubbed<T>(error: T): T | ProviderError {
    return error instanceof ProviderError ? this.scrubber.scrubError(error) : error;
  }
}

/** Reads a stream to its end into one answer; an `error` event is thrown. */
export async function collectStream(events: AsyncIterable<StreamEvent>): Promise<Completion> {
  const completion: Completion = {
    content: '',
    reasoning: '',
    reasoningBlocks: [],
    usage: null,
    finishReason: 'stop',
    providerReason: null,
  };
  for await (const event of events) {
    switch (event.type) {
      case 'reasoning':
        completion.reasoning += event.text;
        break;
      case 'reasoning-block':
        completion.reasoningBlocks.push(event.block);
        break;
      case 'content':
        completion.content += event.text;
        break;
      case 'usage':
        completion.usage = event.usage;
        break;
      case 'finish':
        completion.finishReason = event.reason;
        completion.providerReason = event.providerReason;
        break;
      case 'error':
        throw event.error;
    }
  }
  return completion;
}
