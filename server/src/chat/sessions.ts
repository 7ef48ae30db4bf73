import { Op, Sequelize, type WhereOptions } from 'sequelize';
import type { AppServices } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { conflict, HttpError, notFound } from '../errors.js';
import {
  ChatMessage,
  ChatSession,
  ModelConfig,
  Provider,
  type SystemPrompt,
  type User,
} from '../models/index.js';
import { assertCanReadConfig } from '../policies/modelConfigs.js';
import { loadReadablePrompt } from '../prompts/library.js';
import { chatRuntime } from './runtime.js';

/** A model config that can answer, with its provider. */
export interface UsableConfig {
  config: ModelConfig;
  provider: Provider;
}

export interface SessionInput {
  modelConfigId?: number;
  title?: string;
  systemPromptId?: number | null;
  systemPrompt?: string | null;
}

export interface SessionQuery {
  search?: string;
  page: number;
  pageSize: number;
}

const WITH_CONFIG_NAME = {
  model: ModelConfig,
  as: 'modelConfig',
  attributes: ['id', 'displayName'],
  required: false,
};

/**
 * Loads a session of the user, with its config's name. Another user's session is a 404 like a
 * missing one, for admins too, because chats are private.
 */
export async function loadOwnedSession(user: User, id: number): Promise<ChatSession> {
  const session = await ChatSession.findOne({
    where: { id, ownerId: user.id },
    include: [WITH_CONFIG_NAME],
  });
  if (session === null) {
    throw notFound('Chat session', id);
  }
  return session;
}

/** A session to answer in, the config that answers, and the context length of its model. */
export interface SessionToAnswer {
  session: ChatSession;
  usable: UsableConfig;
  /** The context length the provider lists for the config's model, or null when unknown. */
  contextLength: number | null;
}

/**
 * Loads a session of the user and its model config, the config through the config cache, and
 * checks that the config can answer: 409 when the session has none because it was deleted, and
 * otherwise the errors of `loadUsableConfig`.
 */
export async function loadSessionToAnswer(
  services: AppServices,
  user: User,
  id: number,
): Promise<SessionToAnswer> {
  const session = await ChatSession.findOne({ where: { id, ownerId: user.id } });
  if (session === null) {
    throw notFound('Chat session', id);
  }
  assertHasConfig(session);
  const cached = await services.configs.get(session.modelConfigId);
  const usable = usableConfig(
    user,
    cached?.config ?? null,
    cached?.provider ?? null,
    session.modelConfigId,
  );
  // Presenting the session shows the config's name.
  session.modelConfig = usable.config;
  return { session, usable, contextLength: cached?.contextLength ?? null };
}

/**
 * Loads a model config the user may use and checks that it can answer: 404 when it is missing
 * or not visible to the user, 409 when it or its provider is disabled.
 */
export async function loadUsableConfig(user: User, modelConfigId: number): Promise<UsableConfig> {
  const found = await ModelConfig.findByPk(modelConfigId, {
    include: [{ model: Provider, as: 'provider' }],
  });
  return usableConfig(user, found, found?.provider ?? null, modelConfigId);
}

function usableConfig(
  user: User,
  found: ModelConfig | null,
  provider: Provider | null,
  modelConfigId: number,
): UsableConfig {
  let usable: UsableConfig;
  try {
    usable = assertCanReadConfig(user, found, provider, modelConfigId);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new HttpError(
        404,
        'not_found',
        `Model config ${modelConfigId} was not found; use the id of a config from ` +
          'GET /api/model-configs.',
        { details: { field: 'modelConfigId' } },
      );
    }
    throw error;
  }
  assertEnabled(usable);
  return usable;
}

function assertEnabled({ config, provider }: UsableConfig): void {
  if (!config.enabled) {
    throw conflict(
      'model_config_disabled',
      `Model config ${JSON.stringify(config.displayName)} (id ${config.id}) is disabled; enable ` +
        `it with PUT /api/model-configs/${config.id} {"enabled": true} or choose another config.`,
      { modelConfigId: config.id },
    );
  }
  if (!provider.enabled) {
    throw conflict(
      'provider_disabled',
      `Provider ${JSON.stringify(provider.name)} (id ${provider.id}) of model config ` +
        `${JSON.stringify(config.displayName)} is disabled; enable it with ` +
        `PATCH /api/providers/${provider.id} {"enabled": true} or choose another config.`,
      { providerId: provider.id, modelConfigId: config.id },
    );
  }
}

/** Throws 409 when the session has no model config because its config was deleted. */
function assertHasConfig(
  session: ChatSession,
): asserts session is ChatSession & { modelConfigId: number } {
  if (session.modelConfigId === null) {
    throw conflict(
      'model_config_missing',
      `Chat session ${session.id} has no model config because its config was deleted; choose ` +
        `one with PUT /api/chat/sessions/${session.id} {"modelConfigId": <id>}.`,
      { sessionId: session.id },
    );
  }
}

/**
 * Loads a prompt of the user's library, their own or a built-in one, for a session's
 * `systemPromptId`; throws 404 naming the field otherwise.
 */
async function loadLibraryPrompt(user: User, promptId: number): Promise<SystemPrompt> {
  try {
    return await loadReadablePrompt(user, promptId);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) {
      throw new HttpError(
        404,
        'not_found',
        `Prompt ${promptId} was not found in your prompt library; use the id of your own or a ` +
          'built-in prompt from GET /api/prompts, or leave systemPromptId out.',
        { details: { field: 'systemPromptId' } },
      );
    }
    throw error;
  }
}

/**
 * Creates a session for the user on a config that can answer. A `systemPromptId` must name a
 * prompt the user can read, and its content becomes the system prompt unless `systemPrompt` is
 * given too.
 */
export async function createSession(
  user: User,
  input: SessionInput & { modelConfigId: number },
): Promise<ChatSession> {
  const { config } = await loadUsableConfig(user, input.modelConfigId);
  let systemPrompt = emptyToNull(input.systemPrompt);
  let systemPromptId: number | null = null;
  if (input.systemPromptId !== undefined && input.systemPromptId !== null) {
    const prompt = await loadLibraryPrompt(user, input.systemPromptId);
    systemPromptId = prompt.id;
    if (input.systemPrompt === undefined) {
      systemPrompt = emptyToNull(prompt.content);
    }
  }
  const now = new Date();
  const session = await ChatSession.create({
    ownerId: user.id,
    modelConfigId: config.id,
    title: input.title ?? null,
    systemPromptId,
    systemPrompt,
    lastMessageAt: now,
    createdAt: now,
  });
  session.modelConfig = config;
  return session;
}

/**
 * Changes the fields given, and a new config must be usable. A new `systemPromptId` is checked
 * as on create, and its content replaces the system prompt unless `systemPrompt` is given too.
 * A null `systemPromptId` only unlinks the prompt and keeps the text.
 */
export async function updateSession(
  user: User,
  session: ChatSession,
  input: SessionInput,
): Promise<ChatSession> {
  if (input.modelConfigId !== undefined) {
    const { config } = await loadUsableConfig(user, input.modelConfigId);
    session.modelConfigId = config.id;
    session.modelConfig = config;
  }
  if (input.title !== undefined) {
    session.title = input.title;
  }
  if (input.systemPromptId === null) {
    session.systemPromptId = null;
  } else if (input.systemPromptId !== undefined) {
    const prompt = await loadLibraryPrompt(user, input.systemPromptId);
    session.systemPromptId = prompt.id;
    if (input.systemPrompt === undefined) {
      session.systemPrompt = emptyToNull(prompt.content);
    }
  }
  if (input.systemPrompt !== undefined) {
    session.systemPrompt = emptyToNull(input.systemPrompt);
  }
  await session.save();
  return session;
}

/** Deletes a session with all its messages, stopping its answer first if one is running. */
export async function deleteSession(services: AppServices, session: ChatSession): Promise<void> {
  const running = chatRuntime(services).findBySession(session.id);
  if (running !== undefined) {
    running.abort('stopped');
    await running.finished;
  }
  await runTransaction(services.sequelize, async (transaction) => {
    await ChatMessage.destroy({ where: { sessionId: session.id }, transaction });
    await session.destroy({ transaction });
  });
}

/**
 * Lists the user's sessions, the most recently active first. The search matches part of the
 * title, ignoring case.
 * NOTE: on SQLite, LOWER changes only ASCII letters, so other letters match in their own case.
 */
export async function listSessions(
  user: User,
  query: SessionQuery,
): Promise<{ sessions: ChatSession[]; total: number }> {
  const where: WhereOptions[] = [{ ownerId: user.id }];
  if (query.search !== undefined && query.search !== '') {
    // INSTR is a plain substring test in both SQLite and MySQL, so % and _ need no escaping.
    where.push(
      Sequelize.where(
        Sequelize.fn(
          'instr',
          Sequelize.fn('lower', Sequelize.col('title')),
          query.search.toLowerCase(),
        ),
        { [Op.gt]: 0 },
      ),
    );
  }
  const { rows, count } = await ChatSession.findAndCountAll({
    where: { [Op.and]: where },
    include: [WITH_CONFIG_NAME],
    order: [
      ['lastMessageAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
    distinct: true,
  });
  return { sessions: rows, total: count };
}

/** Counts the messages of each session, by session id. */
export async function countMessages(sessionIds: number[]): Promise<Map<number, number>> {
  const counts = new Map<number, number>(sessionIds.map((id) => [id, 0]));
  if (sessionIds.length === 0) {
    return counts;
  }
  const rows = (await ChatMessage.findAll({
    attributes: ['sessionId', [Sequelize.fn('COUNT', Sequelize.col('id')), 'count']],
    where: { sessionId: sessionIds },
    group: ['sessionId'],
    raw: true,
  })) as unknown as { sessionId: number; count: number | string }[];
  for (const row of rows) {
    counts.set(Number(row.sessionId), Number(row.count));
  }
  return counts;
}

function emptyToNull(text: string | null | undefined): string | null {
  return text === undefined || text === null || text.trim() === '' ? null : text;
}
