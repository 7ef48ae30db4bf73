// Parsing and checks of the model config fields a user types, with the bounds that
// POST /api/model-configs enforces. The module has no vscode import, so tests call it directly.
import type { ApiReasoningSetting } from '../../../shared/src/api/modelConfigs.js';
import type { FieldCheck } from './providerFields.js';

/** The largest value of the server's 32-bit integer columns. */
export const MAX_INTEGER = 2_147_483_647;
/** The maximum length of a display name or model id on the server. */
export const MAX_MODEL_NAME_LENGTH = 191;

export const REASONING_EFFORTS = ['minimal', 'low', 'medium', 'high'] as const;

/** A number field of a model config: its label and the range the server accepts. */
export interface NumberField {
  label: string;
  min: number;
  max: number;
  integer: boolean;
  /** Added to the range in messages, such as what 0 means. */
  hint?: string;
}

export const TEMPERATURE: NumberField = { label: 'Temperature', min: 0, max: 2, integer: false };
export const MAX_TOKENS: NumberField = {
  label: 'Max tokens',
  min: 1,
  max: MAX_INTEGER,
  integer: true,
};
export const TOP_P: NumberField = { label: 'top_p', min: 0, max: 1, integer: false };
export const TOP_K: NumberField = {
  label: 'top_k',
  min: 0,
  max: MAX_INTEGER,
  integer: true,
  hint: '0 leaves top_k to the provider',
};
export const BUDGET_TOKENS: NumberField = {
  label: 'Reasoning budget',
  min: 1,
  max: MAX_INTEGER,
  integer: true,
};
export const PRICE: NumberField = {
  label: 'Price',
  min: 0,
  max: Number.MAX_SAFE_INTEGER,
  integer: false,
};

/**
 * Parses a number as typed: digits with an optional sign, decimal point and exponent. Returns
 * undefined for anything else, including the empty string, `Infinity` and hexadecimal, which
 * `Number()` would accept.
 */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) {
    return undefined;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

function describeRange(field: NumberField): string {
  if (field.max >= MAX_INTEGER) {
    return `${field.integer ? 'a whole number' : 'a number'} of at least ${field.min}`;
  }
  return `${field.integer ? 'a whole number' : 'a number'} from ${field.min} to ${field.max}`;
}

/** Checks a typed number against a field's range. */
export function checkNumber(field: NumberField, text: string): FieldCheck | undefined {
  const value = parseNumber(text);
  const hint = field.hint === undefined ? '' : ` (${field.hint})`;
  const expected = `${field.label} must be ${describeRange(field)}${hint}`;
  if (value === undefined) {
    return {
      severity: 'error',
      message: `${JSON.stringify(text.trim())} is not a number. ${expected}.`,
    };
  }
  if ((field.integer && !Number.isInteger(value)) || value < field.min || value > field.max) {
    return { severity: 'error', message: `${expected}, not ${text.trim()}.` };
  }
  return undefined;
}

/** Checks max tokens against the range and, when the model reports one, its context length. */
export function checkMaxTokens(text: string, contextLength: number | null): FieldCheck | undefined {
  const problem = checkNumber(MAX_TOKENS, text);
  if (problem !== undefined) {
    return problem;
  }
  const value = parseNumber(text) ?? 0;
  if (contextLength !== null && value > contextLength) {
    return {
      severity: 'error',
      message: `The model's context length is ${contextLength} tokens; enter ${contextLength} or less.`,
    };
  }
  return undefined;
}

/** Checks a reasoning budget, which must stay below max tokens. */
export function checkBudgetTokens(text: string, maxTokens: number): FieldCheck | undefined {
  const problem = checkNumber(BUDGET_TOKENS, text);
  if (problem !== undefined) {
    return problem;
  }
  const value = parseNumber(text) ?? 0;
  if (value >= maxTokens) {
    return {
      severity: 'error',
      message: `The reasoning budget must be less than max tokens (${maxTokens}); enter a smaller budget.`,
    };
  }
  return undefined;
}

/** Checks a price in dollars per million tokens. Empty text means the price is unknown. */
export function checkPrice(text: string): FieldCheck | undefined {
  if (text.trim() === '') {
    return undefined;
  }
  const problem = checkNumber(PRICE, text);
  return problem === undefined
    ? undefined
    : {
        severity: 'error',
        message: `Enter a price of 0 or more dollars per million tokens, or leave it empty when unknown; ${JSON.stringify(text.trim())} is not one.`,
      };
}

/** Parses a checked price. Empty text gives null, which the server stores as unknown. */
export function parsePrice(text: string): number | null {
  return text.trim() === '' ? null : (parseNumber(text) ?? null);
}

/** Checks a display name against the names of the user's other configs of the same model. */
export function checkDisplayName(
  text: string,
  takenNames: readonly string[] = [],
): FieldCheck | undefined {
  const name = text.trim();
  if (name === '') {
    return { severity: 'error', message: 'Enter a display name.' };
  }
  if (name.length > MAX_MODEL_NAME_LENGTH) {
    return {
      severity: 'error',
      message: `The display name has ${name.length} characters; the maximum is ${MAX_MODEL_NAME_LENGTH}.`,
    };
  }
  if (/[\t\n\r]/.test(name)) {
    return { severity: 'error', message: 'The display name must not contain tabs or line breaks.' };
  }
  if (takenNames.includes(name)) {
    return {
      severity: 'error',
      message: `A model config of this model is already named ${name}; choose another name.`,
    };
  }
  return undefined;
}

/** Checks a model id typed by hand, for providers whose models were never synced. */
export function checkModelId(text: string): FieldCheck | undefined {
  const id = text.trim();
  if (id === '') {
    return { severity: 'error', message: 'Enter the model id, such as gpt-4o or llama3.1:8b.' };
  }
  if (id.length > MAX_MODEL_NAME_LENGTH || /[\t\n\r]/.test(id)) {
    return {
      severity: 'error',
      message: `Enter a model id of one line with at most ${MAX_MODEL_NAME_LENGTH} characters.`,
    };
  }
  return undefined;
}

/** Describes a reasoning setting in a few words, such as "effort high" or "budget 2048 tokens". */
export function describeReasoning(reasoning: ApiReasoningSetting | null): string {
  if (reasoning === null) {
    return 'off';
  }
  if (reasoning.effort !== undefined) {
    return `effort ${reasoning.effort}`;
  }
  return `budget ${reasoning.budgetTokens ?? 0} tokens`;
}

/** Formats a price for messages and tooltips: "$2.5 / M tokens", or "unknown". */
export function describePrice(price: number | null): string {
  return price === null ? 'unknown' : `$${price} / M tokens`;
}
