import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type {
  ChatFinishReason,
  ChatMessageError,
  ChatMessageStatus,
  ChatReasoningBlock,
  ChatUsage,
} from '../../../shared/src/api/chat.js';
import type { AppServices } from '../context.js';
import type { ChatMessage, ModelConfig, Provider } from '../models/index.js';
import {
  createProviderClient,
  type CompletionRequest,
  type ProviderError,
  type StreamEvent,
} from '../providers/clients/index.js';
import { providerConnection } from '../providers/connection.js';
import { meteredStream } from '../usage/meter.js';
import { presentChatMessage } from './presenter.js';
import { chatRuntime, type InFlightAnswer } from './runtime.js';
import type { SseStream } from './sseStream.js';

/** One answer to generate and store. */
export interface AnswerRun {
  services: AppServices;
  logger: Logger;
  userId: number;
  modelConfig: ModelConfig;
  provider: Provider;
  /** The request without its signal; the answer's abort controller supplies it. */
  request: Omit<CompletionRequest, 'signal'>;
  /** The stored assistant message, status `streaming`, that receives the answer. */
  message: ChatMessage;
  answer: InFlightAnswer;
  /** Where events go while the answer streams; unset for a JSON response. */
  stream?: SseStream;
}

/**
 * Streams an answer from the provider through the usage meter and passes reasoning, content and
 * usage on to the event stream as they arrive. When the provider stream ends, stores the outcome
 * on the assistant message: `complete`, `stopped` when the answer was aborted (the partial text
 * is kept) or `error`. Then ends the event stream with `done` or `error` and returns the message.
 */
export async function relayAnswer(run: AnswerRun): Promise<ChatMessage> {
  const draft = new AnswerDraft(performance.now());
  try {
    const connection = providerConnection(run.services, run.provider);
    const client = createProviderClient(connection, chatRuntime(run.services).clientTimeouts);
    const request = { ...run.request, signal: run.answer.controller.signal };
    const events = meteredStream(client, request, {
      userId: run.userId,
      modelConfig: run.modelConfig,
      purpose: 'chat',
      logger: run.logger,
    });
    for await (const event of events) {
      draft.observe(event, performance.now());
      forward(run, event);
    }
  } catch (error) {
    run.logger.error({ err: error, messageId: run.message.id }, 'chat answer failed');
    draft.failure ??= {
      code: 'internal',
      message: 'The server failed while relaying the answer; the server log has the details.',
    };
  }
  draft.endedAt = performance.now();

  const outcome = draft.outcome(run.answer.abortCause !== null);
  await run.message.update(outcome);
  finish(run, outcome);
  return run.message;
}

/** Passes a provider event on to the client; reasoning blocks stay on the server. */
function forward(run: AnswerRun, event: StreamEvent): void {
  const stream = run.stream;
  if (stream === undefined || !stream.open) {
    return;
  }
  const messageId = run.message.id;
  switch (event.type) {
    case 'reasoning':
    case 'content':
      if (event.text !== '') {
        stream.send(event.type, { messageId, text: event.text });
      }
      break;
    case 'usage':
      stream.send('usage', { messageId, usage: event.usage });
      break;
    case 'reasoning-block':
    case 'finish':
    case 'error':
      break;
  }
}

function finish(run: AnswerRun, outcome: AnswerOutcome): void {
  const stream = run.stream;
  if (stream === undefined || !stream.open) {
    return;
  }
  const message = presentChatMessage(run.message);
  if (outcome.status === 'error') {
    stream.send('error', { messageId: message.id, error: outcome.error!, message });
    return;
  }
  stream.send('done', {
    messageId: message.id,
    status: outcome.status === 'stopped' ? 'stopped' : 'complete',
    finishReason: outcome.finishReason,
    ttftMs: outcome.ttftMs,
    ttfaMs: outcome.ttfaMs,
    latencyMs: outcome.latencyMs,
    usage: message.usage,
    message,
  });
}

/** The fields of the assistant message that an answer sets when it ends. */
interface AnswerOutcome {
  content: string;
  reasoning: string | null;
  reasoningBlocks: ChatReasoningBlock[] | null;
  status: ChatMessageStatus;
  promptTokens: number | null;
  completionTokens: number | null;
  reasoningTokens: number | null;
  ttftMs: number | null;
  ttfaMs: number | null;
  latencyMs: number;
  finishReason: ChatFinishReason;
  providerFinishReason: string | null;
  error: ChatMessageError | null;
}

/** The text, usage and finish of an answer received so far, with the times of its first tokens. */
class AnswerDraft {
  content = '';
  reasoning = '';
  readonly reasoningBlocks: ChatReasoningBlock[] = [];
  usage: ChatUsage | null = null;
  finishReason: ChatFinishReason | null = null;
  providerFinishReason: string | null = null;
  failure: ChatMessageError | null = null;
  firstTokenAt: number | null = null;
  firstAnswerTokenAt: number | null = null;
  endedAt: number;

  constructor(readonly startedAt: number) {
    this.endedAt = startedAt;
  }

  observe(event: StreamEvent, now: number): void {
    switch (event.type) {
      case 'reasoning':
        this.reasoning += event.text;
        this.markFirstToken(event.text, now);
        break;
      case 'content':
        this.content += event.text;
        this.markFirstToken(event.text, now);
        if (event.text !== '') {
          this.firstAnswerTokenAt ??= now;
        }
        break;
      case 'reasoning-block':
        this.reasoningBlocks.push(event.block);
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'finish':
        this.finishReason = event.reason;
        this.providerFinishReason = event.providerReason;
        break;
      case 'error':
        this.failure ??= describeFailure(event.error);
        break;
    }
  }

  /**
   * Decides how the answer ended. An abort from this side (stop or disconnect) is `stopped`,
   * unless the provider had already finished; any other failure is `error`.
   */
  outcome(aborted: boolean): AnswerOutcome {
    let status: ChatMessageStatus = 'complete';
    let finishReason: ChatFinishReason = this.finishReason ?? 'stop';
    let error: ChatMessageError | null = null;
    const stoppedHere =
      aborted &&
      (this.failure === null ? this.finishReason === null : this.failure.code === 'aborted');
    if (stoppedHere) {
      status = 'stopped';
      finishReason = 'aborted';
    } else if (this.failure !== null) {
      status = 'error';
      finishReason = 'error';
      error = this.failure;
    }
    const since = (time: number | null) =>
      time === null ? null : Math.round(time - this.startedAt);
    return {
      content: this.content,
      reasoning: this.reasoning === '' ? null : this.reasoning,
      reasoningBlocks: this.reasoningBlocks.length === 0 ? null : this.reasoningBlocks,
      status,
      promptTokens: this.usage?.promptTokens ?? null,
      completionTokens: this.usage?.completionTokens ?? null,
      reasoningTokens: this.usage?.reasoningTokens ?? null,
      ttftMs: since(this.firstTokenAt),
      ttfaMs: since(this.firstAnswerTokenAt),
      latencyMs: Math.round(this.endedAt - this.startedAt),
      finishReason,
      providerFinishReason: this.providerFinishReason,
      error,
    };
  }

  private markFirstToken(text: string, now: number): void {
    if (text !== '') {
      this.firstTokenAt ??= now;
    }
  }
}

/** Converts a provider failure to the error stored on the message, without its cause. */
function describeFailure(failure: ProviderError): ChatMessageError {
  const error: ChatMessageError = { code: failure.code, message: failure.message };
  const { status, providerMessage, retryAfterMs } = failure.details;
  if (status !== undefined) {
    error.status = status;
  }
  if (providerMessage !== undefined) {
    error.providerMessage = providerMessage;
  }
  if (retryAfterMs !== undefined) {
    error.retryAfterMs = retryAfterMs;
  }
  return error;
}
