import type { ApiChatMessage, ChatStreamEvent } from '../../../shared/src/api/chat.js';
import type { ChatHostMessage, ChatLiveAnswer } from '../../../shared/src/protocol/chat.js';

/**
 * Delay between two text deltas sent to the webview, in milliseconds. Provider chunks arriving
 * within it go in one message, so a fast stream costs at most one postMessage per interval.
 */
export const DELTA_INTERVAL_MS = 25;

/**
 * One answer in flight in a session: relays its stream events to the webview and keeps the text
 * that arrived, so a webview that was hidden or reloaded mid-answer can pick it up.
 */
export class ChatTurn {
  private readonly controller = new AbortController();
  /** The answer's id, known from the stream's `start` event. */
  messageId: number | undefined;
  /** The stored user message and answer at the start, with the text received since. */
  private userMessage: ApiChatMessage | undefined;
  private answer: ApiChatMessage | undefined;
  private pendingReasoning = '';
  private pendingContent = '';
  private timer: NodeJS.Timeout | undefined;
  private reasoningStartedAt: number | undefined;
  private reasoningMs = 0;
  private answering = false;
  /** True once `streamEnd` was posted. */
  ended = false;
  /** True once the user asked to stop. */
  stopping = false;

  constructor(
    readonly sessionId: number,
    private readonly post: (message: ChatHostMessage) => void,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ends the HTTP request of the answer. */
  abort(): void {
    this.controller.abort();
  }

  handle(event: ChatStreamEvent): void {
    switch (event.type) {
      case 'start':
        this.messageId = event.data.assistantMessage.id;
        this.userMessage = event.data.userMessage;
        this.answer = { ...event.data.assistantMessage, content: '', reasoning: null };
        this.post({
          type: 'streamStart',
          sessionId: this.sessionId,
          userMessage: event.data.userMessage,
          assistantMessage: event.data.assistantMessage,
          replacedMessageId: event.data.replacedMessageId,
        });
        break;
      case 'reasoning':
        this.reasoningStartedAt ??= Date.now();
        this.pendingReasoning += event.data.text;
        this.schedule();
        break;
      case 'content':
        this.endReasoning();
        this.pendingContent += event.data.text;
        this.schedule();
        break;
      case 'usage':
        this.flush();
        this.post({
          type: 'streamUsage',
          sessionId: this.sessionId,
          messageId: event.data.messageId,
          usage: event.data.usage,
        });
        break;
      case 'done':
      case 'error':
        this.finish(event.data.message);
        break;
    }
  }

  /** Posts the final answer, once, after any text still buffered. */
  finish(message: ApiChatMessage): void {
    if (this.ended) {
      return;
    }
    this.flush();
    this.ended = true;
    this.answer = message;
    this.post({ type: 'streamEnd', sessionId: this.sessionId, message });
  }

  /** Posts the buffered text now. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.messageId === undefined || this.answer === undefined || this.ended) {
      return;
    }
    if (this.pendingReasoning === '' && this.pendingContent === '') {
      return;
    }
    this.answer = {
      ...this.answer,
      content: this.answer.content + this.pendingContent,
      reasoning:
        this.pendingReasoning === ''
          ? this.answer.reasoning
          : (this.answer.reasoning ?? '') + this.pendingReasoning,
    };
    this.post({
      type: 'streamDelta',
      sessionId: this.sessionId,
      messageId: this.messageId,
      reasoning: this.pendingReasoning,
      content: this.pendingContent,
    });
    this.pendingReasoning = '';
    this.pendingContent = '';
  }

  /**
   * Posts what was buffered, then returns the messages and live state of the answer so far. It
   * returns undefined before the stream started and after it ended.
   */
  snapshot(): { messages: ApiChatMessage[]; live: ChatLiveAnswer } | undefined {
    this.flush();
    if (this.ended || this.messageId === undefined || this.answer === undefined) {
      return undefined;
    }
    const running =
      this.reasoningStartedAt === undefined ? 0 : Date.now() - this.reasoningStartedAt;
    return {
      messages: this.userMessage === undefined ? [this.answer] : [this.userMessage, this.answer],
      live: {
        messageId: this.messageId,
        reasoningMs: this.reasoningMs + running,
        answering: this.answering,
      },
    };
  }

  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private endReasoning(): void {
    this.answering = true;
    if (this.reasoningStartedAt !== undefined) {
      this.reasoningMs += Date.now() - this.reasoningStartedAt;
      this.reasoningStartedAt = undefined;
    }
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, DELTA_INTERVAL_MS);
  }
}
