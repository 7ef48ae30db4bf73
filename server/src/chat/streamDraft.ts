import type {
  ChatFinishReason,
  ChatMessageError,
  ChatReasoningBlock,
  ChatUsage,
} from '../../../shared/src/api/chat.js';
import type { ProviderError, StreamEvent } from '../providers/clients/index.js';
import type { AbortCause } from './runtime.js';

/** How a streamed answer ended: its status, finish reason and stored error. */
export interface StreamEnding {
  status: 'complete' | 'stopped' | 'error';
  finishReason: ChatFinishReason;
  error: ChatMessageError | null;
}

/**
 * The text, usage and finish of a streamed answer received so far, with the times of its first
 * token and its first answer token. Times are `performance.now()` values. A chat answer and a
 * comparison slot each extend it with their own outcome.
 */
export class StreamDraft {
  content = '';
  reasoning = '';
  /** Set once text was cut to keep the answer within `maxChars`. */
  limitReached = false;
  readonly reasoningBlocks: ChatReasoningBlock[] = [];
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

  /** Adds an event received at `now` to the text, usage, finish and first-token times. */
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
   * Decides how the answer ended. An abort from this side is `stopped` (stop or disconnect) or
   * `complete` with finish reason `length` (the answer reached the maximum length), unless the
   * provider had already finished. Any other failure is `error`.
   */
  ending(abortCause: AbortCause | null): StreamEnding {
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

  /** Returns the milliseconds from the start to `time`, rounded, or null for no time. */
  since(time: number | null): number | null {
    return time === null ? null : Math.round(time - this.startedAt);
  }
}

/** Converts a provider failure to the stored error, without its cause. */
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
