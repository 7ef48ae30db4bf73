import type { AppServices } from '../context.js';
import { conflict } from '../errors.js';
import { DEFAULT_TIMEOUTS, type ClientTimeouts } from '../providers/clients/types.js';

/** The reason an answer's provider request was aborted before it ended. */
export type AbortCause = 'stopped' | 'disconnected';

/** An answer being generated: its session, its message once stored, and how to abort it. */
export class InFlightAnswer {
  readonly controller = new AbortController();
  messageId: number | null = null;
  private resolveFinished!: () => void;
  /** Settles when the answer is stored and the session is free again. */
  readonly finished = new Promise<void>((resolve) => {
    this.resolveFinished = resolve;
  });

  constructor(
    readonly sessionId: number,
    private readonly onRelease: (answer: InFlightAnswer) => void,
  ) {}

  abort(cause: AbortCause): void {
    this.controller.abort(cause);
  }

  /** The cause given to `abort`, or null while the answer runs. */
  get abortCause(): AbortCause | null {
    return this.controller.signal.aborted ? (this.controller.signal.reason as AbortCause) : null;
  }

  release(): void {
    this.onRelease(this);
    this.resolveFinished();
  }
}

/**
 * The chat state of one running server: settings tests may change, and the answers in flight,
 * at most one per session, so that a second message cannot interleave with an answer.
 * NOTE: the answers are known only to the server process that runs them. Behind a load balancer,
 * a stop request that reaches another instance finds no answer to abort.
 */
export class ChatRuntime {
  /**
   * Silence in milliseconds after which a stream gets a keep-alive comment. It starts at
   * CHAT_KEEPALIVE_MS, and tests may change it on a running server.
   */
  keepAliveMs: number;
  clientTimeouts: ClientTimeouts = DEFAULT_TIMEOUTS;
  private readonly bySession = new Map<number, InFlightAnswer>();
  private readonly byMessage = new Map<number, InFlightAnswer>();

  constructor(keepAliveMs: number) {
    this.keepAliveMs = keepAliveMs;
  }

  /** Reserves the session for one answer; throws 409 while another answer of it runs. */
  begin(sessionId: number): InFlightAnswer {
    const running = this.bySession.get(sessionId);
    if (running !== undefined) {
      const stopHint =
        running.messageId === null
          ? 'wait for the answer to end'
          : 'wait for the answer to end or stop it with ' +
            `POST /api/chat/sessions/${sessionId}/messages/${running.messageId}/stop`;
      throw conflict(
        'answer_in_progress',
        `Chat session ${sessionId} is still answering a message; ${stopHint}.`,
        { messageId: running.messageId },
      );
    }
    const answer = new InFlightAnswer(sessionId, (released) => this.forget(released));
    this.bySession.set(sessionId, answer);
    return answer;
  }

  /** Records the stored assistant message of an answer, so that it can be stopped by its id. */
  attach(answer: InFlightAnswer, messageId: number): void {
    answer.messageId = messageId;
    this.byMessage.set(messageId, answer);
  }

  find(messageId: number): InFlightAnswer | undefined {
    return this.byMessage.get(messageId);
  }

  findBySession(sessionId: number): InFlightAnswer | undefined {
    return this.bySession.get(sessionId);
  }

  /** Stops every running answer, as at shutdown; each stores what it has, marked stopped. */
  stopAll(): void {
    for (const answer of this.bySession.values()) {
      answer.abort('stopped');
    }
  }

  private forget(answer: InFlightAnswer): void {
    if (this.bySession.get(answer.sessionId) === answer) {
      this.bySession.delete(answer.sessionId);
    }
    if (answer.messageId !== null && this.byMessage.get(answer.messageId) === answer) {
      this.byMessage.delete(answer.messageId);
    }
  }
}

const runtimes = new WeakMap<AppServices, ChatRuntime>();

/** Returns the chat runtime of a server, made on first use. */
export function chatRuntime(services: AppServices): ChatRuntime {
  let runtime = runtimes.get(services);
  if (runtime === undefined) {
    const created = new ChatRuntime(services.config.chatKeepAliveMs);
    services.stopping.addEventListener('abort', () => created.stopAll(), { once: true });
    runtime = created;
    runtimes.set(services, runtime);
  }
  return runtime;
}
