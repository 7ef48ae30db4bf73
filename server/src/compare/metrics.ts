import type {
  ChatFinishReason,
  ChatMessageError,
  ChatUsage,
} from '../../../shared/src/api/chat.js';
import type { ComparisonResultStatus } from '../../../shared/src/api/compare.js';
import type { AbortCause } from '../chat/runtime.js';
import { StreamDraft } from '../chat/streamDraft.js';
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

/** One slot's answer received so far, with the outcome and metrics stored on its result. */
export class SlotDraft extends StreamDraft {
  /**
   * Returns what to store on the result: the text, tokens, timings, speed and cost, and how the
   * answer ended (see `ending`). `prices` are the config's, for the cost.
   */
  outcome(abortCause: AbortCause | null, prices: TokenPrices): SlotOutcome {
    const { status, finishReason, error } = this.ending(abortCause);
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
      ttftMs: this.since(this.firstTokenAt),
      ttfaMs: this.since(this.firstAnswerTokenAt),
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
}
