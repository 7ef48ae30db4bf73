// Reads chat-completion responses and stream chunks into the normalised events and completions.
import { deltaReasoning } from '../../../../shared/src/streaming/reasoningFields.js';
import {
  ReasoningSplitter,
  type TextPart,
} from '../../../../shared/src/streaming/reasoningSplitter.js';
import { malformedResponse } from './openaiErrors.js';
import {
  ProviderError,
  type Completion,
  type FinishReason,
  type StreamEvent,
  type TokenUsage,
} from './types.js';

/** The fields of a message or delta this client reads, including servers' reasoning fields. */
interface MessageFields {
  content?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
}

interface ChoiceFields {
  delta?: MessageFields;
  message?: MessageFields;
  finish_reason?: unknown;
}

interface UsageFields {
  prompt_tokens?: unknown;
  completion_tokens?: unknown;
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
}

interface ResponseFields {
  choices?: unknown;
  usage?: UsageFields | null;
}

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content_filter',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  // OpenRouter ends a stream whose upstream failed with `error`, vLLM an aborted one with `abort`.
  error: 'error',
  abort: 'aborted',
};

/** Normalises a provider's finish reason. Unknown ones (`eos`, `end_turn`) count as `stop`. */
export function normaliseFinishReason(reason: string): FinishReason {
  return FINISH_REASONS[reason] ?? 'stop';
}

/**
 * Turns stream chunks into events. Reasoning comes from the `reasoning_content` and `reasoning`
 * delta fields and from `<think>` tags inside the content. Usage and the finish reason are held
 * back and sent when the stream ends, because OpenAI sends usage in a chunk after the one with
 * the finish reason.
 */
export class ChunkReader {
  private readonly splitter = new ReasoningSplitter();
  private finishReason: string | null = null;
  private usage: TokenUsage | null = null;
  /** How many chunks were read; a malformed event after the first means the service failed mid-answer. */
  chunkCount = 0;

  constructor(private readonly host: string) {}

  /** Returns the events of one chunk. Throws a `malformed` ProviderError for a non-object chunk. */
  read(chunk: unknown): StreamEvent[] {
    if (typeof chunk !== 'object' || chunk === null) {
      throw malformedResponse(this.host);
    }
    this.chunkCount += 1;
    const { choices, usage } = chunk as ResponseFields;
    if (typeof usage === 'object' && usage !== null) {
      this.usage = toUsage(usage);
    }
    const choice = firstChoice(choices);
    if (choice === null) {
      return [];
    }

    const events: StreamEvent[] = [];
    const delta = choice.delta ?? {};
    const reasoning = deltaReasoning(delta);
    if (reasoning !== '') {
      events.push({ type: 'reasoning', text: reasoning });
    }
    if (typeof delta.content === 'string' && delta.content !== '') {
      events.push(...this.splitter.push(delta.content).map(toEvent));
    }
    if (typeof choice.finish_reason === 'string') {
      this.finishReason = choice.finish_reason;
    }
    return events;
  }

  /**
   * Returns the events that close a stream whose body ended: held-back text, usage and `finish`.
   * A stream that ended without a finish reason was cut off, so it ends with a `dropped` error.
   * A body without a single event was no stream at all, such as an HTML page, so it is `malformed`.
   */
  end(): StreamEvent[] {
    if (this.chunkCount === 0) {
      return [{ type: 'error', error: malformedResponse(this.host) }];
    }
    const events: StreamEvent[] = this.splitter.end().map(toEvent);
    if (this.finishReason === null) {
      const error = new ProviderError(
        'dropped',
        `The connection to ${this.host} closed before the response finished.`,
      );
      events.push({ type: 'error', error });
      return events;
    }
    if (this.usage !== null) {
      events.push({ type: 'usage', usage: this.usage });
    }
    events.push({
      type: 'finish',
      reason: normaliseFinishReason(this.finishReason),
      providerReason: this.finishReason,
    });
    return events;
  }
}

/** Reads a chat completion that was not streamed. Throws `malformed` when the body is not one. */
export function toCompletion(body: unknown, host: string): Completion {
  const fields = typeof body === 'object' && body !== null ? (body as ResponseFields) : {};
  const choice = firstChoice(fields.choices);
  if (choice === null || typeof choice.message !== 'object' || choice.message === null) {
    throw malformedResponse(host);
  }

  const message = choice.message;
  const splitter = new ReasoningSplitter();
  const text = typeof message.content === 'string' ? message.content : '';
  const parts = [...splitter.push(text), ...splitter.end()];
  const inlineReasoning = parts.filter((part) => part.kind === 'reasoning');
  const providerReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : null;
  return {
    content: joinParts(parts.filter((part) => part.kind === 'content')),
    reasoning: deltaReasoning(message) + joinParts(inlineReasoning),
    reasoningBlocks: [],
    usage: typeof fields.usage === 'object' && fields.usage !== null ? toUsage(fields.usage) : null,
    finishReason: providerReason === null ? 'stop' : normaliseFinishReason(providerReason),
    providerReason,
  };
}

function firstChoice(choices: unknown): ChoiceFields | null {
  if (!Array.isArray(choices)) {
    return null;
  }
  const first: unknown = choices[0];
  return typeof first === 'object' && first !== null ? first : null;
}

function toUsage(usage: UsageFields): TokenUsage {
  return {
    promptTokens: count(usage.prompt_tokens),
    completionTokens: count(usage.completion_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens),
  };
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

function toEvent(part: TextPart): StreamEvent {
  return { type: part.kind, text: part.text };
}

function joinParts(parts: TextPart[]): string {
  return parts.map((part) => part.text).join('');
}
