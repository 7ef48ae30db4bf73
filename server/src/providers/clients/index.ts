// Picks the client for a provider's kind and collects streams into whole answers.
import { AnthropicClient } from './anthropic.js';
import { OllamaClient } from './ollama.js';
import { OpenAiClient } from './openai.js';
import {
  DEFAULT_TIMEOUTS,
  type ClientTimeouts,
  type Completion,
  type ProviderClient,
  type ProviderConnection,
  type StreamEvent,
} from './types.js';

export * from './types.js';

/** The client for the connection's kind; `openai-compatible` servers share the OpenAI client. */
export function createProviderClient(
  connection: ProviderConnection,
  timeouts: ClientTimeouts = DEFAULT_TIMEOUTS,
): ProviderClient {
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
