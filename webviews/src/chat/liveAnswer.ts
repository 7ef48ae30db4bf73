import type { ChatUsage } from '../../../shared/src/api/chat.js';

/** What one animation frame added to a streaming answer. */
export interface LiveChange {
  /** Reasoning text that arrived since the previous frame. */
  reasoning: string;
  /** True when answer text arrived since the previous frame. */
  content: boolean;
  /** True in the frame that received the first answer text, which ends the reasoning phase. */
  answerStarted: boolean;
  /** True when the token counts changed. */
  usage: boolean;
}

/** The state of an answer that a webview picks up mid-stream, after it was hidden or reloaded. */
export interface LiveSnapshot {
  content: string;
  reasoning: string;
  reasoningMs: number;
  answering: boolean;
}

/**
 * The text of the answer that is streaming. Deltas from the host are buffered and handed to the
 * subscribers once per animation frame, however many arrive, so the page renders at most once a
 * frame during a long answer.
 */
export class LiveAnswer {
  content = '';
  reasoning = '';
  usage: ChatUsage | null = null;
  answering = false;
  private pendingReasoning = '';
  private pendingContent = '';
  private pendingUsage = false;
  private answerStartedPending = false;
  /** Reasoning time measured before this webview took over the stream. */
  private reasoningBaseMs = 0;
  /** `performance.now()` when this webview saw reasoning start, while it has not ended. */
  private reasoningSince: number | undefined;
  private frame: number | undefined;
  private readonly listeners = new Set<(change: LiveChange) => void>();

  constructor(
    readonly messageId: number,
    snapshot?: LiveSnapshot,
  ) {
    if (snapshot !== undefined) {
      this.content = snapshot.content;
      this.reasoning = snapshot.reasoning;
      this.answering = snapshot.answering;
      this.reasoningBaseMs = snapshot.reasoningMs;
      if (!snapshot.answering && snapshot.reasoning !== '') {
        this.reasoningSince = performance.now();
      }
    }
  }

  /** Buffers text that arrived; subscribers see it in the next animation frame. */
  append(reasoning: string, content: string): void {
    if (reasoning !== '') {
      this.pendingReasoning += reasoning;
      if (this.reasoningSince === undefined && !this.answering) {
        this.reasoningSince = performance.now();
      }
    }
    if (content !== '') {
      this.pendingContent += content;
      if (!this.answering) {
        this.answering = true;
        this.answerStartedPending = true;
        this.endReasoning();
      }
    }
    this.schedule();
  }

  setUsage(usage: ChatUsage): void {
    this.usage = usage;
    this.pendingUsage = true;
    this.schedule();
  }

  /** Milliseconds spent reasoning, which keep counting until the answer starts. */
  reasoningMs(now = performance.now()): number {
    const running = this.reasoningSince === undefined ? 0 : now - this.reasoningSince;
    return this.reasoningBaseMs + running;
  }

  /** True while reasoning arrives and no answer text has yet. */
  get thinking(): boolean {
    return this.reasoningSince !== undefined;
  }

  /** Calls `listener` once per frame that changed something; returns the unsubscribe function. */
  subscribe(listener: (change: LiveChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands everything buffered to the subscribers now instead of in the next frame. */
  flush(): void {
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    const change: LiveChange = {
      reasoning: this.pendingReasoning,
      content: this.pendingContent !== '',
      answerStarted: this.answerStartedPending,
      usage: this.pendingUsage,
    };
    if (!change.content && change.reasoning === '' && !change.usage && !change.answerStarted) {
      return;
    }
    this.reasoning += this.pendingReasoning;
    this.content += this.pendingContent;
    this.pendingReasoning = '';
    this.pendingContent = '';
    this.pendingUsage = false;
    this.answerStartedPending = false;
    for (const listener of this.listeners) {
      listener(change);
    }
  }

  /** Stops the stream's pending frame; the answer's final message replaces it. */
  dispose(): void {
    if (this.frame !== undefined) {
      cancelAnimationFrame(this.frame);
      this.frame = undefined;
    }
    this.listeners.clear();
  }

  private endReasoning(): void {
    if (this.reasoningSince !== undefined) {
      this.reasoningBaseMs += performance.now() - this.reasoningSince;
      this.reasoningSince = undefined;
    }
  }

  private schedule(): void {
    this.frame ??= requestAnimationFrame(() => {
      this.frame = undefined;
      this.flush();
    });
  }
}
