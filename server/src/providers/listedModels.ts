// Decides which listed models a sync stores, in the same way for the connection test's count.
import type { SkippedModel } from '../../../shared/src/api/modelConfigs.js';
import {
  MODEL_CAPABILITIES,
  MODEL_TYPES,
  type ModelCapability,
} from '../../../shared/src/api/providers.js';
import type { ListedModel } from './clients/index.js';

/** The length of the model_id and display_name columns of provider_models. */
const MAX_MODEL_TEXT_LENGTH = 191;

/** The largest value of a signed 32-bit INTEGER column, such as context_length. */
const MAX_INTEGER = 2_147_483_647;

/**
 * Characters an id must not contain: C0 and C1 controls, DEL, format characters (bidirectional
 * overrides, zero-width spaces, the byte-order mark) and the line and paragraph separators. On screen,
 * an id with one looks the same as a harmless one.
 */
const HIDDEN_CHARACTER = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Words earlier syncs stored for capabilities, mapped to the vocabulary. */
const CAPABILITY_ALIASES: Record<string, ModelCapability> = {
  completion: 'chat',
  thinking: 'reasoning',
};

/** The models a sync stores, and those it skips with the reason. */
export interface FilteredModels {
  models: ListedModel[];
  skipped: SkippedModel[];
}

/**
 * Splits a listed model list into the models to store and those skipped. Skipped are ids that
 * are empty, too long for their column, or have an unpaired surrogate, hidden characters or
 * surrounding white space, because a config could never name them, and repeats of an earlier id.
 * Ids are compared exactly, as the binary model_id columns compare them. Of a kept model, a
 * display name with hidden characters falls back to the id and one too long is cut. A context
 * length that is no positive 32-bit integer becomes null, and capabilities keep only the shared
 * vocabulary.
 */
export function filterListedModels(listed: readonly ListedModel[]): FilteredModels {
  const seen = new Set<string>();
  const models: ListedModel[] = [];
  const skipped: SkippedModel[] = [];
  for (const model of listed) {
    const reason =
      idProblem(model.modelId) ?? (seen.has(model.modelId) ? 'repeats an earlier model' : null);
    if (reason !== null) {
      skipped.push({ modelId: printableId(model.modelId), reason });
      continue;
    }
    seen.add(model.modelId);
    models.push(cleanModel(model));
  }
  return { models, skipped };
}

/** Keeps the capabilities of the vocabulary, mapping words that earlier syncs stored. */
export function normalizeCapabilities(values: readonly unknown[]): ModelCapability[] {
  const known = new Set<string>(MODEL_CAPABILITIES);
  const result = new Set<ModelCapability>();
  for (const value of values) {
    if (typeof value !== 'string') {
      continue;
    }
    const word = CAPABILITY_ALIASES[value] ?? value;
    if (known.has(word)) {
      result.add(word as ModelCapability);
    }
  }
  return [...result];
}

function idProblem(id: string): string | null {
  if (typeof id !== 'string' || id === '') {
    return 'the id is empty';
  }
  if (!(id as string & { isWellFormed(): boolean }).isWellFormed()) {
    return 'the id has an unpaired surrogate, which cannot be stored as UTF-8';
  }
  const hidden = HIDDEN_CHARACTER.exec(id);
  if (hidden !== null) {
    return `the id has the control, invisible or bidirectional character ${codePointName(hidden[0])}`;
  }
  if (id.trim() !== id) {
    return 'the id starts or ends with white space';
  }
  if (Array.from(id).length > MAX_MODEL_TEXT_LENGTH) {
    return `the id is longer than ${MAX_MODEL_TEXT_LENGTH} characters`;
  }
  return null;
}

function cleanModel(model: ListedModel): ListedModel {
  const name = typeof model.displayName === 'string' ? model.displayName.trim() : '';
  const usableName =
    name !== '' &&
    (name as string & { isWellFormed(): boolean }).isWellFormed() &&
    !HIDDEN_CHARACTER.test(name);
  const contextLength = model.contextLength;
  return {
    modelId: model.modelId,
    displayName: usableName
      ? Array.from(name).slice(0, MAX_MODEL_TEXT_LENGTH).join('')
      : model.modelId,
    type: (MODEL_TYPES as readonly string[]).includes(model.type) ? model.type : 'chat',
    capabilities: normalizeCapabilities(model.capabilities),
    contextLength:
      typeof contextLength === 'number' &&
      Number.isInteger(contextLength) &&
      contextLength > 0 &&
      contextLength <= MAX_INTEGER
        ? contextLength
        : null,
  };
}

/**
 * Writes an id as JSON text with hidden characters escaped as `\uXXXX`, cut to 200 characters,
 * so the skip report shows exactly what the provider sent.
 */
function printableId(id: unknown): string {
  const json = JSON.stringify(typeof id === 'string' ? id : String(id));
  const escaped = json.replace(
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu,
    (character) => `\\u${(character.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`,
  );
  return escaped.length > 200 ? `${escaped.slice(0, 199)}…` : escaped;
}

function codePointName(character: string): string {
  return `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}
