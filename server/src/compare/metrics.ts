import type {
  ChatFinishReason,
  ChatMessageError,
  ChatUsage,
} from '../../../shared/src/api/chat.js';
import type { ComparisonResultStatus } from '../../../shared/src/api/compare.js';
import type { AbortCause } from '../chat/runtime.js';
import type { ProviderError, StreamEvent } from '../providers/clients/index.js';
import { costOf, type TokenPrices } from '../usage/meter.js';

/** The fields of a comparison result that a slot sets when its answer ends. */
export interface SlotOutcome {
  content: string;
  reasoning: string | null;
  status: ComparisonResultStatus;
  promptTokens: number | null;
  completionTokens: number | null;
  reasoningTokens: number | null;
  ttftMs: number | null;
  ttfaMs: number | null;
  answerMs: number | null;
  latencyMs: number;
  tokensPerSecond: number | null;
  cost: number | null;
  finishReason: ChatFinishReason;
  providerFinishReason: string | null;
  error: ChatMessageError | null;
}

/** The shortest answer streaming time, in milliseconds, that a speed is computed from. */
const MIN_ANSWER_MS = 1;

/**
 * Returns the answer tokens of a usage: completion tokens minus reasoning tokens, or null when the
 * usage is unknown.
 * NOTE: a provider that does not report reasoning tokens separately (Anthropic, Ollama) has them
 * counted here as answer tokens.
 */
export function answerTokensOf(usage: ChatUsage | null): number | null {
  return usage === null ? null : Math.max(0, usage.completionTokens - usage.reasoningTokens);
}

/**
 * Returns the answer speed in tokens per second: `answerTokens` over the answer streaming time in
 * milliseconds. That time runs from the first answer token to the end of the stream, so reasoning
 * and the wait for the first token do not count, while the time the last token took does. Null
 * when the tokens are unknown or the time is under 1 ms, too short to measure, as when the whole
 * answer arrived in one read.
 */
export function tokensPerSecond(
  answerTokens: number | null,
  answerMs: number | null,
): number | null {
  if (answerTokens === null || answerMs === null || answerMs < MIN_ANSWER_MS) {
    return null;
  }
  return (answerTokens * 1000) / answerMs;
}

/**
 * The text, usage and finish of one slot's answer received so far, with the times of its first
 * token and its first answer token. Times are `performance.now()` values.
 */
export class SlotDraft {
  content = '';
  reasoning = '';
  /** Set once text was cut to keep the answer within `maxChars`. */
  limitReached = false;
  usage: ChatUsage | null = null;
  finishReason: ChatFinishReason | null = null;
  providerFinishReason: string | null = null;
  failure: ChatMessageError | null = null;
  firstTokenAt: number | null = null;
  firstAnswerTokenAt: number | null = null;
  endedAt: number;

  constructor(
    readonly startedAt: number,
    private readonly maxChars: number,
  ) {
    this.endedAt = startedAt;
  }

  /**
   * Returns the event with its text cut to what still fits in `maxChars`, content and reasoning
   * together, and sets `limitReached` when it had to cut. A surrogate pair at the cut is left out
   * whole.
   */
  fit(event: StreamEvent): StreamEvent {
    if (event.type !== 'reasoning' && event.type !== 'content') {
      return event;
    }
    const room = Math.max(0, this.maxChars - this.content.length - this.reasoning.length);
    if (event.text.length <= room) {
      return event;
    }
    this.limitReached = true;
    const lastKept = event.text.charCodeAt(room - 1);
    const end = room > 0 && lastKept >= 0xd800 && lastKept <= 0xdbff ? room - 1 : room;
    return { ...event, text: event.text.slice(0, end) };
  }

  observe(event: StreamEvent, now: number): void {
    switch (event.type) {
      case 'reasoning':
        this.reasoning += event.text;
        if (event.text !== '') {
          this.firstTokenAt ??= now;
        }
        break;
      case 'content':
        this.content += event.text;
        if (event.text !== '') {
          this.firstTokenAt ??= now;
          this.firstAnswerTokenAt ??= now;
        }
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
      case 'reasoning-block':
        break;
    }
  }

  /**
   * Decides how the answer ended and computes its metrics. An abort from this side is `stopped`
   * (stop or disconnect) or `complete` with finish reason `length` (the answer reached the
   * maximum length), unless the provider had already finished; any other failure is `error`.
   * `prices` are the config's, for the cost.
   */
  outcome(abortCause: AbortCause | null, prices: TokenPrices): SlotOutcome {
    const { status, finishReason, error } = this.ending(abortCause);
    const since = (time: number | null) =>
      time === null ? null : Math.round(time - this.startedAt);
    const answerSpan =
      this.firstAnswerTokenAt === null ? null : this.endedAt - this.firstAnswerTokenAt;
    const answerTokens = answerTokensOf(this.usage);
    return {
      content: this.content,
      reasoning: this.reasoning === '' ? null : this.reasoning,
      status,
      promptTokens: this.usage?.promptTokens ?? null,
      completionTokens: this.usage?.completionTokens ?? null,
      reasoningTokens: this.usage?.reasoningTokens ?? null,
      ttftMs: since(this.firstTokenAt),
      ttfaMs: since(this.firstAnswerTokenAt),
      answerMs: answerSpan === null ? null : Math.round(answerSpan),
      latencyMs: Math.round(this.endedAt - this.startedAt),
      // From the unrounded span, so a short answer's speed keeps its precision.
      tokensPerSecond: tokensPerSecond(answerTokens, answerSpan),
      cost: costOf(this.usage, prices),
      finishReason,
      providerFinishReason: this.providerFinishReason,
      error,
    };
  }

  private ending(abortCause: AbortCause | null): {
    status: ComparisonResultStatus;
    finishReason: ChatFinishReason;
    error: ChatMessageError | null;
  } {
    const stoppedHere =
      abortCause !== null &&
      (this.failure === null ? this.finishReason === null : this.failure.code === 'aborted');
    if (stoppedHere && abortCause === 'limit') {
      return { status: 'complete', finishReason: 'length', error: null };
    }
    if (stoppedHere) {
      return { status: 'stopped', finishReason: 'aborted', error: null };
    }
    if (this.failure !== null) {
      return { status: 'error', finishReason: 'error', error: this.failure };
    }
    return { status: 'complete', finishReason: this.finishReason ?? 'stop', error: null };
  }
}

/** Converts a provider failure to the error stored on the result, without its cause. */
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
