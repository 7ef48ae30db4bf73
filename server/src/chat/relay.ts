import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type {
  ChatFinishReason,
  ChatMessageError,
  ChatMessageStatus,
  ChatReasoningBlock,
} from '../../../shared/src/api/chat.js';
import type { AppServices } from '../context.js';
import type { ChatMessage, ModelConfig, Provider } from '../models/index.js';
import {
  createProviderClient,
  type CompletionRequest,
  type ProviderClient,
  type StreamEvent,
} from '../providers/clients/index.js';
import { providerConnection } from '../providers/connection.js';
import { meteredStream } from '../usage/meter.js';
import { keepAnswerAlive } from './interruptedAnswers.js';
import { presentChatMessage } from './presenter.js';
import { chatRuntime, type AbortCause, type InFlightAnswer } from './runtime.js';
import type { SseStream } from './sseStream.js';
import { StreamDraft } from './streamDraft.js';

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
  /** The provider request, when it was started before the answer was stored. */
  started?: StartedAnswer;
}

/** A provider request under way whose events have not been relayed yet. */
export interface StartedAnswer {
  readonly events: AsyncGenerator<StreamEvent>;
  /** `performance.now()` when the request was sent; the answer's timings count from here. */
  readonly startedAt: number;
  /** Aborts a request whose answer will not be relayed, as when storing the turn failed. */
  cancel(): void;
}

/** The part of an answer run that sending the provider request needs. */
export type AnswerRequest = Pick<
  AnswerRun,
  'services' | 'logger' | 'userId' | 'modelConfig' | 'provider' | 'request' | 'answer'
>;

/**
 * Sends the provider request now and keeps its first event until the answer is relayed, so the
 * request can run while the turn is stored.
 */
export function startAnswer(run: AnswerRequest): StartedAnswer {
  const startedAt = performance.now();
  const source = providerEvents(run);
  let head: Promise<IteratorResult<StreamEvent>> | undefined = source.next();
  // The outcome is awaited once the answer is relayed. This handler only keeps the failure of a
  // request cancelled before then from being reported as unhandled.
  head.catch(() => undefined);
  // A plain iterator rather than another async generator, because each generator layer costs
  // promise work on every event of a long answer.
  const events: AsyncGenerator<StreamEvent> = {
    next: () => {
      const first = head;
      head = undefined;
      return first ?? source.next();
    },
    return: (value) => source.return(value),
    throw: (error) => source.throw(error),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    events,
    startedAt,
    cancel: () => {
      run.answer.abort('stopped');
      void source.return(undefined).catch(() => undefined);
    },
  };
}

/** Streams the provider's events through the usage meter. */
function providerEvents(run: AnswerRequest): AsyncGenerator<StreamEvent> {
  const runtime = chatRuntime(run.services);
  let client: ProviderClient;
  try {
    client = createProviderClient(
      providerConnection(run.services, run.provider),
      runtime.clientTimeouts,
    );
  } catch (error) {
    return failedEvents(error);
  }
  const request = { ...run.request, signal: run.answer.controller.signal };
  return meteredStream(client, request, {
    userId: run.userId,
    modelConfig: run.modelConfig,
    purpose: 'chat',
    logger: run.logger,
  });
}

/** Returns an event stream that fails with `error` when it is first read. */
async function* failedEvents(error: unknown): AsyncGenerator<StreamEvent> {
  await Promise.resolve();
  yield* [];
  throw error;
}

/**
 * Streams an answer from the provider through the usage meter and passes reasoning, content and
 * usage on to the event stream as they arrive. The next provider event is read only once the
 * client has taken the last one, so a slow reader slows the provider stream instead of filling
 * the server's memory. A client that reads nothing for CHAT_WRITE_TIMEOUT_MS is cut off, and the
 * answer is stopped. An answer that reaches CHAT_MAX_ANSWER_CHARS is cut there, its provider
 * request aborted, and it ends with finish reason `length`.
 *
 * When the provider stream ends, stores the outcome on the assistant message: `complete`,
 * `stopped` when the answer was aborted (the partial text is kept) or `error`. Then ends the
 * event stream with `done` or `error` and returns the message as stored.
 */
export async function relayAnswer(run: AnswerRun): Promise<ChatMessage> {
  const runtime = chatRuntime(run.services);
  const started = run.started ?? startAnswer(run);
  const draft = new AnswerDraft(started.startedAt, runtime.maxAnswerChars);
  const heartbeat = keepAnswerAlive(run.message.id, run.logger);
  try {
    for await (const event of started.events) {
      const fitted = draft.fit(event);
      draft.observe(fitted, performance.now());
      if (!(await forward(run, fitted, runtime.writeTimeoutMs))) {
        break;
      }
      if (draft.limitReached) {
        run.answer.abort('limit');
        break;
      }
    }
  } catch (error) {
    run.logger.error({ err: error, messageId: run.message.id }, 'chat answer failed');
    draft.failure ??= {
      code: 'internal',
      message: 'The server failed while relaying the answer; the server log has the details.',
    };
  } finally {
    heartbeat.stop();
  }
  draft.endedAt = performance.now();

  const stored = await storeOutcome(run, draft.outcome(run.answer.abortCause));
  finish(run, stored);
  return run.message;
}

/**
 * Passes a provider event on to the client; reasoning blocks stay on the server. When the client
 * has not read the earlier events yet, waits up to `writeTimeoutMs` for it. Returns false when
 * the client read nothing in that time: the connection is then closed and the answer stopped.
 */
async function forward(
  run: AnswerRun,
  event: StreamEvent,
  writeTimeoutMs: number,
): Promise<boolean> {
  const stream = run.stream;
  if (stream === undefined || !stream.open) {
    return true;
  }
  const messageId = run.message.id;
  let accepted = true;
  switch (event.type) {
    case 'reasoning':
    case 'content':
      if (event.text !== '') {
        accepted = stream.send(event.type, { messageId, text: event.text });
      }
      break;
    case 'usage':
      accepted = stream.send('usage', { messageId, usage: event.usage });
      break;
    case 'reasoning-block':
    case 'finish':
    case 'error':
      break;
  }
  if (accepted || (await stream.drained(writeTimeoutMs)) || !stream.open) {
    // A client that closed the connection is handled by the disconnect listener.
    return true;
  }
  run.logger.warn(
    { writeTimeoutMs },
    'chat client read nothing within the write timeout; stopping the answer',
  );
  run.answer.abort('disconnected');
  stream.abandon();
  return false;
}

/**
 * Stores the outcome on the message and returns what was stored. When the database rejects it,
 * as MySQL does for text over its 16 MiB MEDIUMTEXT column or its max_allowed_packet, the message
 * is marked `error` in a second, small update and keeps the text it had before.
 */
async function storeOutcome(run: AnswerRun, outcome: AnswerOutcome): Promise<AnswerOutcome> {
  const message = run.message;
  try {
    await message.update(outcome);
  } catch (error) {
    const characters = outcome.content.length + (outcome.reasoning?.length ?? 0);
    run.logger.error(
      { err: error, messageId: message.id, characters },
      'failed to store a chat answer',
    );
    return storeFailureWithRetry(run, outcome, characters);
  }
  // A model config deleted while the answer streamed has set the stored model_config_id to null.
  await message.reload({ attributes: ['id', 'modelConfigId'] });
  return outcome;
}

/**
 * Stores the failure, trying a second time when the first try fails: MySQL closes the connection
 * after a packet over max_allowed_packet, and the pool then hands out a new one.
 */
async function storeFailureWithRetry(
  run: AnswerRun,
  outcome: AnswerOutcome,
  characters: number,
): Promise<AnswerOutcome> {
  try {
    return await storeFailure(run.message, outcome, characters);
  } catch (error) {
    run.logger.warn(
      { err: error, messageId: run.message.id },
      'failed to store a chat answer failure; trying once more',
    );
    return storeFailure(run.message, outcome, characters);
  }
}

async function storeFailure(
  message: ChatMessage,
  outcome: AnswerOutcome,
  characters: number,
): Promise<AnswerOutcome> {
  const error: ChatMessageError = {
    code: 'internal',
    message:
      `The answer of ${characters.toLocaleString('en-US')} characters could not be stored; the ` +
      'server log has the details. Send the message again, or ask for a shorter answer.',
  };
  // Drops the values the failed update left on the instance, so it shows what is stored.
  await message.reload();
  await message.update({
    status: 'error',
    finishReason: 'error',
    error,
    promptTokens: outcome.promptTokens,
    completionTokens: outcome.completionTokens,
    reasoningTokens: outcome.reasoningTokens,
    ttftMs: outcome.ttftMs,
    ttfaMs: outcome.ttfaMs,
    latencyMs: outcome.latencyMs,
    providerFinishReason: outcome.providerFinishReason,
  });
  return {
    ...outcome,
    content: message.content,
    reasoning: message.reasoning,
    reasoningBlocks: message.reasoningBlocks,
    status: 'error',
    finishReason: 'error',
    error,
  };
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

/** An answer received so far, with the outcome stored on its message. */
class AnswerDraft extends StreamDraft {
  /** Returns what to store on the message: the text, tokens, timings and how the answer ended. */
  outcome(abortCause: AbortCause | null): AnswerOutcome {
    const { status, finishReason, error } = this.ending(abortCause);
    return {
      content: this.content,
      reasoning: this.reasoning === '' ? null : this.reasoning,
      reasoningBlocks: this.reasoningBlocks.length === 0 ? null : this.reasoningBlocks,
      status,
      promptTokens: this.usage?.promptTokens ?? null,
      completionTokens: this.usage?.completionTokens ?? null,
      reasoningTokens: this.usage?.reasoningTokens ?? null,
      ttftMs: this.since(this.firstTokenAt),
      ttfaMs: this.since(this.firstAnswerTokenAt),
      latencyMs: Math.round(this.endedAt - this.startedAt),
      finishReason,
      providerFinishReason: this.providerFinishReason,
      error,
    };
  }
}
