import { describeType, type ConversationChecker } from './conversation.js';
import type { RecordOutput } from './recordOutput.js';
import type { DatasetColumns, DatasetSchema } from './types.js';

/** The schema chosen for a file, with what its records are checked against. */
export interface SchemaPlan {
  schema: DatasetSchema;
  preferenceFormat?: 'alpaca' | 'sharegpt';
  /** The key of the conversation, for ShareGPT, OpenAI and ShareGPT-style preference data. */
  messagesKey?: string;
  conversations?: ConversationChecker;
}

/** Optional media columns LLaMA-Factory reads: a path or a list of paths each. */
const MEDIA_COLUMNS = ['images', 'videos', 'audios'] as const;

/** A string field of a record, with its LLaMA-Factory column role and how strictly to check it. */
interface TextField {
  key: string;
  column: keyof DatasetColumns;
  required?: boolean;
  /** Report an empty or blank value as an empty output. */
  emptyWarning?: boolean;
}

/** The string fields of LLaMA-Factory's formats, created once rather than per record. */
const INSTRUCTION: TextField = { key: 'instruction', column: 'prompt', required: true };
const INPUT: TextField = { key: 'input', column: 'query' };
const OUTPUT: TextField = { key: 'output', column: 'response', required: true, emptyWarning: true };
const SYSTEM: TextField = { key: 'system', column: 'system' };
const TEXT: TextField = { key: 'text', column: 'prompt', required: true, emptyWarning: true };
const CHOSEN: TextField = { key: 'chosen', column: 'chosen', required: true, emptyWarning: true };
const REJECTED: TextField = {
  key: 'rejected',
  column: 'rejected',
  required: true,
  emptyWarning: true,
};

/** Checks one record, a JSON object, against the plan. */
export function checkRecord(
  plan: SchemaPlan,
  record: Record<string, unknown>,
  out: RecordOutput,
): void {
  switch (plan.schema) {
    case 'alpaca':
      checkPrompt(record, out);
      checkText(record, out, OUTPUT);
      break;
    case 'pretraining':
      checkText(record, out, TEXT);
      break;
    case 'preference':
      checkPreference(plan, record, out);
      break;
    case 'sharegpt':
    case 'openai':
      checkConversationRecord(plan, record, false, out);
      break;
    default:
      out.error(unknownSchemaMessage(record));
  }
  checkMedia(record, out);
}

/** Checks Alpaca's prompt side: instruction, input, system and history. */
function checkPrompt(record: Record<string, unknown>, out: RecordOutput): void {
  checkText(record, out, INSTRUCTION);
  checkText(record, out, INPUT);
  checkText(record, out, SYSTEM);
  const history = record.history;
  if (history === undefined || history === null) {
    return;
  }
  if (!Array.isArray(history)) {
    out.error(
      `"history" must be a list of [prompt, response] pairs, found ${describeType(history)}.`,
    );
    return;
  }
  let length = 0;
  for (let index = 0; index < history.length; index += 1) {
    const pair: unknown = history[index];
    if (
      !Array.isArray(pair) ||
      pair.length !== 2 ||
      typeof pair[0] !== 'string' ||
      typeof pair[1] !== 'string'
    ) {
      out.error(`history[${index}] must be a [prompt, response] pair of strings.`);
      return;
    }
    length += pair[0].length + pair[1].length;
  }
  out.column('history', 'history');
  out.field('history', length);
}

function checkPreference(
  plan: SchemaPlan,
  record: Record<string, unknown>,
  out: RecordOutput,
): void {
  if (plan.preferenceFormat === 'alpaca') {
    checkPrompt(record, out);
    checkText(record, out, CHOSEN);
    checkText(record, out, REJECTED);
  } else {
    checkConversationRecord(plan, record, true, out);
    const conversations = plan.conversations;
    for (const key of ['chosen', 'rejected'] as const) {
      if (record[key] === undefined) {
        out.error(`"${key}" is missing; preference data needs a "chosen" and a "rejected" answer.`);
      } else if (conversations !== undefined) {
        conversations.checkAnswer(record[key], key, out);
        out.column(key, key);
      }
    }
  }
  checkAnswersDiffer(record, out);
}

/**
 * Warns when a preference record's chosen and rejected answers are the same text, or the same
 * message, because such a pair gives the training no preference to learn.
 */
function checkAnswersDiffer(record: Record<string, unknown>, out: RecordOutput): void {
  const { chosen, rejected } = record;
  if (chosen === undefined || rejected === undefined) {
    return;
  }
  const same =
    typeof chosen === 'string' || typeof rejected === 'string'
      ? chosen === rejected
      : JSON.stringify(chosen) === JSON.stringify(rejected);
  if (same) {
    out.warn(
      'identical_answers',
      '"chosen" and "rejected" are the same answer, so the pair teaches no preference; make ' +
        'the rejected answer the worse one, or remove the record.',
    );
  }
}

function checkConversationRecord(
  plan: SchemaPlan,
  record: Record<string, unknown>,
  preference: boolean,
  out: RecordOutput,
): void {
  const key = plan.messagesKey ?? 'conversations';
  if (record[key] === undefined) {
    out.error(`"${key}" is missing; each record needs its conversation under "${key}".`);
  } else if (plan.conversations !== undefined) {
    out.column('messages', key);
    plan.conversations.check(record[key], key, preference, out);
  }
  checkText(record, out, SYSTEM);
  const tools = record.tools;
  if (tools !== undefined && tools !== null) {
    if (typeof tools === 'string') {
      out.field('tools', tools.length);
    } else if (!Array.isArray(tools)) {
      out.error(`"tools" must be a string or a list, found ${describeType(tools)}.`);
      return;
    }
    out.column('tools', 'tools');
  }
}

/** Checks an optional or required string field and counts its length. */
function checkText(record: Record<string, unknown>, out: RecordOutput, field: TextField): void {
  const { key, column } = field;
  const value = record[key];
  if (value === undefined || (value === null && field.required !== true)) {
    if (field.required === true) {
      out.error(`"${key}" is missing.`);
    }
    return;
  }
  if (typeof value !== 'string') {
    out.error(`"${key}" must be a string, found ${describeType(value)}.`);
    return;
  }
  out.column(column, key);
  out.field(key, value.length);
  if (field.emptyWarning === true && value.trim() === '') {
    out.warn('empty_output', `"${key}" is empty.`);
  }
}

function checkMedia(record: Record<string, unknown>, out: RecordOutput): void {
  for (const key of MEDIA_COLUMNS) {
    const value = record[key];
    if (value === undefined || value === null) {
      continue;
    }
    const valid =
      typeof value === 'string' ||
      (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (valid) {
      out.column(key, key);
    } else {
      out.error(
        `"${key}" must be a file path or a list of file paths, found ${describeType(value)}.`,
      );
    }
  }
}

function unknownSchemaMessage(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  return (
    `The record matches no supported schema (its keys: ` +
    `${keys.length > 0 ? keys.join(', ') : 'none'}). ` +
    'Expected Alpaca (instruction, input, output), ShareGPT (conversations of {from, value}), ' +
    'OpenAI messages (messages of {role, content}), pretraining text (text) or preference data ' +
    '(chosen and rejected).'
  );
}
