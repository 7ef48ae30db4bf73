import { Op, type Transaction } from 'sequelize';
import type { ApiChatSession } from '../../../shared/src/api/chat.js';
import type { AppContext } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { conflict } from '../errors.js';
import { ChatMessage, type ChatSession, type ModelConfig, type User } from '../models/index.js';
import type { ChatTurn, CompletionRequest } from '../providers/clients/types.js';
import { buildHistory, promptBudget, type HistoryMessage } from './history.js';
import { presentChatMessage, presentChatSession } from './presenter.js';
import { relayAnswer, startAnswer, type StartedAnswer } from './relay.js';
import { assertMessageInSession } from './messageActions.js';
import { chatRuntime, type InFlightAnswer } from './runtime.js';
import { countMessages, type SessionToAnswer, type UsableConfig } from './sessions.js';
import { SseStream } from './sseStream.js';
import { titleFromMessage } from './title.js';

/** How the answer goes back: as server-sent events, or as one JSON body at the end. */
export interface ReplyMode {
  stream: boolean;
}

/** The session a turn belongs to, its owner, the config that answers, and how to reply. */
export interface TurnTarget extends SessionToAnswer {
  user: User;
  mode: ReplyMode;
}

/** A user message and the stored, still empty answer to it. */
interface PreparedTurn {
  userMessage: ChatMessage;
  assistant: ChatMessage;
  replacedMessageId: number | null;
  /** The pending save of the session's title and activity time, made while the answer streams. */
  sessionSaved?: Promise<void>;
}

/**
 * Stores the user's message, then answers it with the session's model config. The session gets
 * its title from the message when it has none.
 */
export async function sendMessage(
  ctx: AppContext,
  { user, session, usable, contextLength, mode }: TurnTarget,
  content: string,
): Promise<void> {
  const answer = chatRuntime(ctx.services).begin(session.id, user.id);
  let started: StartedAnswer | undefined;
  try {
    // The history is read before the turn is stored, and the provider request starts before the
    // turn is stored, so storing adds nothing to the time to the first token. The runtime lets
    // one answer run per session, so no other turn can join the history meanwhile.
    const stored = await storedMessages(session, null);
    const history = sessionHistory(session, usable, { stored, contextLength, question: content });
    started = startAnswer({
      services: ctx.services,
      logger: ctx.state.log.child({ sessionId: session.id }),
      userId: user.id,
      modelConfig: usable.config,
      provider: usable.provider,
      request: completionRequest(session, usable.config, history.turns),
      answer,
    });
    // The SDK builds and sends the request in promise callbacks. Storing the turn builds its
    // INSERT at once, which would delay the request, so it waits for the next event loop turn.
    await new Promise((resolve) => setImmediate(resolve));
    const turn = await storeTurn(session, usable, mode, content);
    const prepared = { history, started };
    started = undefined;
    await answerTurn(ctx, { user, session, usable, contextLength, answer, turn, mode, prepared });
  } finally {
    started?.cancel();
    answer.release();
  }
}

/**
 * Stores a question and its empty answer with one INSERT of both rows, which is atomic without a
 * transaction and saves the BEGIN and COMMIT round trips on the way to the first token. The
 * session's title and activity time are saved while the answer streams (see `awaitSessionSaved`).
 */
async function storeTurn(
  session: ChatSession,
  { config }: UsableConfig,
  mode: ReplyMode,
  content: string,
): Promise<PreparedTurn> {
  const [userMessage, assistant] = await ChatMessage.bulkCreate([
    { sessionId: session.id, role: 'user', content, status: 'complete', ...NO_ANSWER },
    emptyAnswer(session, config, mode),
  ]);
  if (userMessage?.id === undefined || assistant?.id === undefined) {
    throw new Error(`Storing the turn of chat session ${session.id} returned no message ids.`);
  }
  session.title ??= titleFromMessage(content);
  session.lastMessageAt = new Date();
  const sessionSaved = session.save().then(() => undefined);
  // Awaited once the answer ends; this only keeps a failure from counting as unhandled meanwhile.
  sessionSaved.catch(() => undefined);
  return { userMessage, assistant, replacedMessageId: null, sessionSaved };
}

/**
 * Waits for the session's title and activity time to be stored. The question and its answer are
 * stored by then, so a failure is logged and the answer is kept. The next message sets the title
 * and time again.
 */
async function awaitSessionSaved(ctx: AppContext, turn: PreparedTurn): Promise<void> {
  try {
    await turn.sessionSaved;
  } catch (error) {
    ctx.state.log.error(
      { err: error, sessionId: turn.userMessage.sessionId },
      'failed to store the chat session title and activity time',
    );
  }
}

/**
 * Answers the session's last user message again. `messageId`, when given, must be the last
 * message: an answer, which is deleted and replaced, or a user message without one.
 */
export async function regenerateAnswer(
  ctx: AppContext,
  { user, session, usable, contextLength, mode }: TurnTarget,
  messageId: number | null,
): Promise<void> {
  const answer = chatRuntime(ctx.services).begin(session.id, user.id);
  try {
    const turn = await runTransaction(ctx.services.sequelize, async (transaction) => {
      const { userMessage, replaced } = await findRegenerated(session, messageId, transaction);
      if (replaced !== null) {
        await replaced.destroy({ transaction });
      }
      const assistant = await createAnswer(session, usable, mode, transaction);
      return { userMessage, assistant, replacedMessageId: replaced?.id ?? null };
    });
    await answerTurn(ctx, { user, session, usable, contextLength, answer, turn, mode });
  } finally {
    answer.release();
  }
}

/** The answer fields of a message that has none, as a user message and a new answer start. */
const NO_ANSWER = {
  reasoning: null,
  reasoningBlocks: null,
  modelConfigId: null,
  modelId: null,
  promptTokens: null,
  completionTokens: null,
  reasoningTokens: null,
  ttftMs: null,
  ttfaMs: null,
  latencyMs: null,
  finishReason: null,
  providerFinishReason: null,
  error: null,
} as const;

/** Returns the fields of an answer that has not started yet, status `streaming`. */
function emptyAnswer(session: ChatSession, config: ModelConfig, mode: ReplyMode) {
  return {
    sessionId: session.id,
    role: 'assistant' as const,
    content: '',
    status: 'streaming' as const,
    ...NO_ANSWER,
    modelConfigId: config.id,
    modelId: config.modelId,
    streamed: mode.stream,
  };
}

/** Stores the empty answer, status `streaming`, and marks the session active now. */
async function createAnswer(
  session: ChatSession,
  { config }: UsableConfig,
  mode: ReplyMode,
  transaction: Transaction,
): Promise<ChatMessage> {
  const assistant = await ChatMessage.create(emptyAnswer(session, config, mode), {
    transaction,
  });
  session.lastMessageAt = new Date();
  await session.save({ transaction });
  return assistant;
}

async function findRegenerated(
  session: ChatSession,
  messageId: number | null,
  transaction: Transaction,
): Promise<{ userMessage: ChatMessage; replaced: ChatMessage | null }> {
  const last = await ChatMessage.findOne({
    where: { sessionId: session.id },
    order: [['id', 'DESC']],
    transaction,
  });
  if (last === null) {
    throw conflict(
      'nothing_to_regenerate',
      `Chat session ${session.id} has no messages to answer; send one with ` +
        `POST /api/chat/sessions/${session.id}/messages.`,
    );
  }
  if (messageId !== null && messageId !== last.id) {
    await assertMessageInSession(session, messageId, transaction);
    throw conflict(
      'not_last_message',
      `Message ${messageId} is not the last message of chat session ${session.id}; only the ` +
        `last answer can be regenerated, which is message ${last.id}.`,
      { lastMessageId: last.id },
    );
  }
  if (last.role === 'user') {
    return { userMessage: last, replaced: null };
  }
  const userMessage = await ChatMessage.findOne({
    where: { sessionId: session.id, role: 'user', id: { [Op.lt]: last.id } },
    order: [['id', 'DESC']],
    transaction,
  });
  if (userMessage === null) {
    throw conflict(
      'nothing_to_regenerate',
      `Answer ${last.id} has no user message before it to answer again; send a new message.`,
    );
  }
  return { userMessage, replaced: last };
}

interface AnswerContext {
  user: User;
  session: ChatSession;
  /** The context length of the config's model, for a history read here; null when unknown. */
  contextLength: number | null;
  usable: UsableConfig;
  answer: InFlightAnswer;
  turn: PreparedTurn;
  mode: ReplyMode;
  /** The history and the provider request, when both were made before the turn was stored. */
  prepared?: { history: SessionHistory; started: StartedAnswer };
}

/**
 * Generates the answer of a prepared turn and replies: as events from `start` to `done` or
 * `error`, or as one JSON body. A client that goes away aborts the provider request, and the
 * partial answer is stored as stopped.
 */
async function answerTurn(ctx: AppContext, context: AnswerContext): Promise<void> {
  const { session, usable, answer, turn } = context;
  const runtime = chatRuntime(ctx.services);
  runtime.attach(answer, turn.assistant.id);
  abortOnDisconnect(ctx, answer);
  const logger = ctx.state.log.child({ sessionId: session.id, messageId: turn.assistant.id });

  let stream: SseStream | undefined;
  try {
    let history = context.prepared?.history;
    if (history === undefined) {
      const stored = await storedMessages(session, turn.assistant.id);
      history = sessionHistory(session, usable, { stored, contextLength: context.contextLength });
    }
    if (context.mode.stream) {
      stream = new SseStream(ctx, runtime.keepAliveMs);
      stream.send('start', {
        sessionId: session.id,
        userMessage: presentChatMessage(turn.userMessage),
        assistantMessage: presentChatMessage(turn.assistant),
        replacedMessageId: turn.replacedMessageId,
        sessionTitle: session.title,
        trimmedTurns: history.info.trimmedTurns,
        history: history.info,
      });
    }
    const stored = await relayAnswer({
      services: ctx.services,
      logger,
      userId: context.user.id,
      modelConfig: usable.config,
      provider: usable.provider,
      request: completionRequest(session, usable.config, history.turns),
      message: turn.assistant,
      answer,
      ...(stream === undefined ? {} : { stream }),
      ...(context.prepared === undefined ? {} : { started: context.prepared.started }),
    });
    if (stream === undefined) {
      ctx.body = {
        userMessage: presentChatMessage(turn.userMessage),
        assistantMessage: presentChatMessage(stored),
        session: await presentSession(session),
      };
    }
  } catch (error) {
    // Aborts a request started early whose events were never relayed; after the relay it does
    // nothing, because the request has ended.
    context.prepared?.started.cancel();
    await failAnswer(ctx, turn.assistant, stream, error);
  } finally {
    await awaitSessionSaved(ctx, turn);
    stream?.end();
  }
}

/** Builds the provider request for a session's turns with the config's sampling parameters. */
function completionRequest(
  session: ChatSession,
  config: ModelConfig,
  turns: ChatTurn[],
): Omit<CompletionRequest, 'signal'> {
  return {
    model: config.modelId,
    system: session.systemPrompt,
    messages: turns,
    params: {
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      topP: config.topP,
      topK: config.topK,
      reasoning: config.reasoning,
    },
  };
}

/** Aborts the answer when the client closes the connection before the reply has ended. */
function abortOnDisconnect(ctx: AppContext, answer: InFlightAnswer): void {
  const response = ctx.res;
  response.once('close', () => {
    if (!response.writableFinished) {
      answer.abort('disconnected');
    }
  });
  // A client that left while the messages were stored has already closed the response.
  if (response.destroyed) {
    answer.abort('disconnected');
  }
}

/**
 * Handles a failure outside the provider stream, such as a database error: the answer is stored
 * as an internal error where possible. Before the event stream started, the error is thrown on
 * for the error middleware; after, it ends the stream as an `error` event.
 */
async function failAnswer(
  ctx: AppContext,
  assistant: ChatMessage,
  stream: SseStream | undefined,
  error: unknown,
): Promise<void> {
  const stored = {
    code: 'internal',
    message: `The server failed while answering; the server log has the details under request id ${ctx.state.requestId}.`,
  };
  try {
    // The instance may carry values of an update that failed; the stored row decides.
    await assistant.reload();
    if (assistant.status === 'streaming') {
      await assistant.update({ status: 'error', finishReason: 'error', error: stored });
    }
  } catch (updateError) {
    ctx.state.log.error(
      { err: updateError, messageId: assistant.id },
      'failed to store an answer failure',
    );
  }
  if (stream === undefined) {
    throw error;
  }
  ctx.state.log.error(
    { err: error, messageId: assistant.id },
    'chat answer failed after the stream started',
  );
  stream.send('error', {
    messageId: assistant.id,
    error: stored,
    message: presentChatMessage(assistant),
  });
}

/** The history sent with an answer, and what was left out of it. */
type SessionHistory = ReturnType<typeof buildHistory>;

/** Reads a session's messages in order: those before message `beforeId`, or all of them. */
function storedMessages(session: ChatSession, beforeId: number | null): Promise<ChatMessage[]> {
  return ChatMessage.findAll({
    where:
      beforeId === null
        ? { sessionId: session.id }
        : { sessionId: session.id, id: { [Op.lt]: beforeId } },
    order: [['id', 'ASC']],
  });
}

/** The stored messages an answer continues, and what bounds its history. */
interface HistorySource {
  stored: ChatMessage[];
  /** The model's context length, or null when unknown. */
  contextLength: number | null;
  /** The question, when it is not stored yet. */
  question?: string;
}

/**
 * Builds the history for an answer from the session's stored messages, followed by the question
 * when it is not stored yet.
 */
function sessionHistory(
  session: ChatSession,
  { config }: UsableConfig,
  { stored, contextLength, question }: HistorySource,
): SessionHistory {
  const messages: HistoryMessage[] =
    question === undefined
      ? stored
      : [...stored, { role: 'user', content: question, ...NO_ANSWER, status: 'complete' }];
  return buildHistory(messages, {
    systemPrompt: session.systemPrompt,
    budgetTokens: promptBudget(contextLength, config.maxTokens),
  });
}

/** Presents a session with its current message count. */
export async function presentSession(session: ChatSession): Promise<ApiChatSession> {
  const counts = await countMessages([session.id]);
  return presentChatSession(session, counts.get(session.id) ?? 0);
}
