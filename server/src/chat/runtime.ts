import type { AppServices } from '../context.js';
import { conflict, HttpError } from '../errors.js';
import { DEFAULT_TIMEOUTS, type ClientTimeouts } from '../providers/clients/types.js';

/**
 * The reason an answer's provider request was aborted before it ended: a stop request, a client
 * that went away or stopped reading (`disconnected`), or the answer reaching the maximum length
 * (`limit`), which ends it as complete with finish reason `length`.
 */
export type AbortCause = 'stopped' | 'disconnected' | 'limit';

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
    readonly userId: number,
    private readonly onRelease: (answer: InFlightAnswer) => void,
  ) {}

  /** Aborts the provider request; the first cause given is kept. */
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

/** The chat settings of a running server, from its config; tests may change them. */
export interface ChatLimits {
  /**
   * Silence in milliseconds after which a stream gets a keep-alive comment (CHAT_KEEPALIVE_MS).
   */
  keepAliveMs: number;
  /** Characters of one answer, content and reasoning together (CHAT_MAX_ANSWER_CHARS). */
  maxAnswerChars: number;
  /** Answers one user may have running at once (CHAT_MAX_ANSWERS_PER_USER). */
  maxAnswersPerUser: number;
  /** How long a stream waits for a client that stopped reading (CHAT_WRITE_TIMEOUT_MS). */
  writeTimeoutMs: number;
}

/**
 * The chat state of one running server: settings tests may change, and the answers in flight,
 * at most one per session, so that a second message cannot interleave with an answer, and at
 * most `maxAnswersPerUser` per user.
 * NOTE: the answers are known only to the server process that runs them. Behind a load balancer,
 * a stop request that reaches another instance finds no answer to abort, and each instance
 * counts a user's answers on its own.
 */
export class ChatRuntime implements ChatLimits {
  keepAliveMs: number;
  maxAnswerChars: number;
  maxAnswersPerUser: number;
  writeTimeoutMs: number;
  clientTimeouts: ClientTimeouts = DEFAULT_TIMEOUTS;
  private readonly bySession = new Map<number, InFlightAnswer>();
  private readonly byMessage = new Map<number, InFlightAnswer>();
  private readonly countByUser = new Map<number, number>();

  constructor(limits: ChatLimits) {
    this.keepAliveMs = limits.keepAliveMs;
    this.maxAnswerChars = limits.maxAnswerChars;
    this.maxAnswersPerUser = limits.maxAnswersPerUser;
    this.writeTimeoutMs = limits.writeTimeoutMs;
  }

  /**
   * Reserves the session for one answer of the user. Throws 409 while another answer of the
   * session runs, and 429 while the user already has `maxAnswersPerUser` answers running.
   */
  begin(sessionId: number, userId: number): InFlightAnswer {
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
    const userAnswers = this.countByUser.get(userId) ?? 0;
    if (userAnswers >= this.maxAnswersPerUser) {
      throw new HttpError(
        429,
        'too_many_answers',
        `You already have ${userAnswers} chat answers running, the most one user may have at ` +
          `once (CHAT_MAX_ANSWERS_PER_USER=${this.maxAnswersPerUser}); wait for one to end or ` +
          'stop one, then send again.',
        { details: { running: userAnswers, limit: this.maxAnswersPerUser } },
      );
    }
    const answer = new InFlightAnswer(sessionId, userId, (released) => this.forget(released));
    this.bySession.set(sessionId, answer);
    this.countByUser.set(userId, userAnswers + 1);
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
      const remaining = (this.countByUser.get(answer.userId) ?? 1) - 1;
      if (remaining > 0) {
        this.countByUser.set(answer.userId, remaining);
      } else {
        this.countByUser.delete(answer.userId);
      }
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
    const { config } = services;
    const created = new ChatRuntime({
      keepAliveMs: config.chatKeepAliveMs,
      maxAnswerChars: config.chatMaxAnswerChars,
      maxAnswersPerUser: config.chatMaxAnswersPerUser,
      writeTimeoutMs: config.chatWriteTimeoutMs,
    });
    services.stopping.addEventListener('abort', () => created.stopAll(), { once: true });
    runtime = created;
    runtimes.set(services, runtime);
  }
  return runtime;
}
