// The prompt library: a user's own prompts beside the built-in templates, which every user sees
// and no one changes.
import { Op, Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PromptScope } from '../../../shared/src/api/prompts.js';
import type { PromptFormat, VariableDeclaration } from '../../../shared/src/prompts/types.js';
import type { AppServices } from '../context.js';
import { transactionWithRetry } from '../db/transactions.js';
import { conflict, HttpError, notFound } from '../errors.js';
import { ChatSession, SystemPrompt, type User } from '../models/index.js';
import { promptNameKey } from './names.js';

/** The fields of a prompt that a user sets; content and variables are already checked. */
export interface PromptFields {
  name: string;
  content: string;
  format: PromptFormat;
  description?: string | null;
  category?: string | null;
  variables: VariableDeclaration[];
  isDefault?: boolean;
}

export interface PromptQuery {
  search?: string;
  category?: string;
  format?: PromptFormat;
  scope: PromptScope;
  page: number;
  pageSize: number;
}

/**
 * Loads a prompt the user may read: their own or a built-in one. Another user's prompt is a 404
 * like a missing one, for admins too, because prompts are private.
 */
export async function loadReadablePrompt(user: User, id: number): Promise<SystemPrompt> {
  const prompt = await SystemPrompt.findOne({
    where: { id, [Op.or]: [{ ownerId: user.id }, { isBuiltIn: true }] },
  });
  if (prompt === null) {
    throw notFound('Prompt', id);
  }
  return prompt;
}

/** Throws 403 for a built-in prompt, with how to get an editable copy. */
export function assertWritable(prompt: SystemPrompt): void {
  if (prompt.isBuiltIn) {
    throw new HttpError(
      403,
      'built_in_prompt',
      `Built-in prompt ${JSON.stringify(prompt.name)} is read-only; copy it with ` +
        `POST /api/prompts/${prompt.id}/copy and change the copy.`,
      { details: { promptId: prompt.id } },
    );
  }
}

/**
 * Lists the prompts a user can read, by category (uncategorized last), then name. The search
 * matches part of the name, description or content, ignoring case; the category filter ignores
 * case too.
 * NOTE: on SQLite, LOWER changes only ASCII letters, so other letters match in their own case.
 */
export async function listPrompts(
  user: User,
  query: PromptQuery,
): Promise<{ prompts: SystemPrompt[]; total: number }> {
  const where: WhereOptions[] = [visibleTo(user, query.scope)];
  if (query.search !== undefined && query.search.trim() !== '') {
    const needle = query.search.trim().toLowerCase();
    where.push({
      [Op.or]: ['name', 'description', 'content'].map((column) => contains(column, needle)),
    });
  }
  if (query.category !== undefined && query.category !== '') {
    where.push(
      Sequelize.where(
        Sequelize.fn('lower', Sequelize.col('category')),
        query.category.trim().toLowerCase(),
      ),
    );
  }
  if (query.format !== undefined) {
    where.push({ format: query.format });
  }
  const { rows, count } = await SystemPrompt.findAndCountAll({
    where: { [Op.and]: where },
    order: [
      [Sequelize.literal('CASE WHEN category IS NULL THEN 1 ELSE 0 END'), 'ASC'],
      [Sequelize.fn('lower', Sequelize.col('category')), 'ASC'],
      ['nameKey', 'ASC'],
      ['id', 'ASC'],
    ],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return { prompts: rows, total: count };
}

function visibleTo(user: User, scope: PromptScope): WhereOptions {
  if (scope === 'own') {
    return { ownerId: user.id };
  }
  if (scope === 'builtIn') {
    return { isBuiltIn: true };
  }
  return { [Op.or]: [{ ownerId: user.id }, { isBuiltIn: true }] };
}

/**
 * Returns a case-insensitive substring test of a column. INSTR is a plain substring search in
 * SQLite and MySQL, so % and _ need no escaping.
 */
function contains(column: string, needle: string): WhereOptions {
  return Sequelize.where(
    Sequelize.fn('instr', Sequelize.fn('lower', Sequelize.col(column)), needle),
    { [Op.gt]: 0 },
  );
}

/**
 * Creates a prompt of the user. Setting it as the default clears the user's previous default of
 * its format in the same transaction.
 */
export function createPrompt(
  services: AppServices,
  user: User,
  fields: PromptFields,
): Promise<SystemPrompt> {
  return transactionWithRetry(services.sequelize, services.logger, async (transaction) => {
    await assertNameFree(user.id, fields.name, undefined, transaction);
    if (fields.isDefault === true) {
      await clearDefault(user.id, fields.format, transaction);
    }
    return SystemPrompt.create(
      {
        ownerId: user.id,
        name: fields.name,
        description: emptyToNull(fields.description),
        format: fields.format,
        category: fields.category ?? null,
        content: fields.content,
        variables: fields.variables,
        defaultFormat: fields.isDefault === true ? fields.format : null,
        isBuiltIn: false,
      },
      { transaction },
    );
  });
}

/**
 * Changes the fields given of a user's prompt. A default prompt whose format changes stays the
 * default, of its new format, replacing the default there.
 */
export function updatePrompt(
  services: AppServices,
  prompt: SystemPrompt,
  fields: Partial<PromptFields>,
): Promise<SystemPrompt> {
  const ownerId = prompt.ownerId ?? 0;
  return transactionWithRetry(services.sequelize, services.logger, async (transaction) => {
    if (fields.name !== undefined) {
      await assertNameFree(ownerId, fields.name, prompt.id, transaction);
      prompt.name = fields.name;
    }
    assign(prompt, fields);
    const isDefault = fields.isDefault ?? prompt.defaultFormat !== null;
    if (isDefault) {
      await clearDefault(ownerId, prompt.format, transaction, prompt.id);
    }
    prompt.defaultFormat = isDefault ? prompt.format : null;
    return prompt.save({ transaction });
  });
}

function assign(prompt: SystemPrompt, fields: Partial<PromptFields>): void {
  if (fields.content !== undefined) {
    prompt.content = fields.content;
  }
  if (fields.format !== undefined) {
    prompt.format = fields.format;
  }
  if (fields.description !== undefined) {
    prompt.description = emptyToNull(fields.description);
  }
  if (fields.category !== undefined) {
    prompt.category = fields.category;
  }
  if (fields.variables !== undefined) {
    prompt.variables = fields.variables;
  }
}

/**
 * Copies a prompt the user can read into their own library, as `name` or else the first free
 * name of "<name>", "<name> (copy)", "<name> (copy 2)" and so on.
 */
export function copyPrompt(
  services: AppServices,
  user: User,
  source: SystemPrompt,
  options: { name?: string; isDefault?: boolean },
): Promise<SystemPrompt> {
  return transactionWithRetry(services.sequelize, services.logger, async (transaction) => {
    const name = options.name ?? (await freeCopyName(user.id, source.name, transaction));
    await assertNameFree(user.id, name, undefined, transaction);
    if (options.isDefault === true) {
      await clearDefault(user.id, source.format, transaction);
    }
    return SystemPrompt.create(
      {
        ownerId: user.id,
        name,
        description: source.description,
        format: source.format,
        category: source.category,
        content: source.content,
        variables: source.variables,
        defaultFormat: options.isDefault === true ? source.format : null,
        isBuiltIn: false,
      },
      { transaction },
    );
  });
}

/** Deletes a user's prompt; chat sessions that took their system prompt from it keep the text. */
export function deletePrompt(services: AppServices, prompt: SystemPrompt): Promise<void> {
  return transactionWithRetry(services.sequelize, services.logger, async (transaction) => {
    await ChatSession.update(
      { systemPromptId: null },
      { where: { systemPromptId: prompt.id }, transaction },
    );
    await prompt.destroy({ transaction });
  });
}

async function clearDefault(
  ownerId: number,
  format: PromptFormat,
  transaction: Transaction,
  exceptId?: number,
): Promise<void> {
  await SystemPrompt.update(
    { defaultFormat: null },
    {
      where: {
        ownerId,
        defaultFormat: format,
        ...(exceptId === undefined ? {} : { id: { [Op.ne]: exceptId } }),
      },
      transaction,
    },
  );
}

async function assertNameFree(
  ownerId: number,
  name: string,
  exceptId: number | undefined,
  transaction: Transaction,
): Promise<void> {
  const existing = await SystemPrompt.findOne({
    where: {
      ownerId,
      nameKey: promptNameKey(name),
      ...(exceptId === undefined ? {} : { id: { [Op.ne]: exceptId } }),
    },
    transaction,
  });
  if (existing !== null) {
    throw conflict(
      'duplicate_prompt_name',
      `You already have a prompt named ${JSON.stringify(existing.name)} (id ${existing.id}); ` +
        'choose another name or change that prompt.',
      { promptId: existing.id },
    );
  }
}

async function freeCopyName(
  ownerId: number,
  name: string,
  transaction: Transaction,
): Promise<string> {
  const taken = await SystemPrompt.findAll({
    where: { ownerId },
    attributes: ['nameKey'],
    transaction,
  });
  const keys = new Set(taken.map((prompt) => prompt.nameKey));
  for (let number = 1; ; number += 1) {
    const candidate = copyName(name, number);
    if (!keys.has(promptNameKey(candidate))) {
      return candidate;
    }
  }
}

/** Returns the name of the n-th copy: the name itself, then "(copy)", "(copy 2)" and so on. */
function copyName(name: string, number: number): string {
  if (number === 1) {
    return name;
  }
  const suffix = number === 2 ? ' (copy)' : ` (copy ${number - 1})`;
  // Long names are cut so the suffix fits the 191-character column.
  return name.slice(0, 191 - suffix.length).trimEnd() + suffix;
}

function emptyToNull(text: string | null | undefined): string | null {
  return text === undefined || text === null || text.trim() === '' ? null : text;
}
