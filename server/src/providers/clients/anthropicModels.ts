// Reads one page of Anthropic's `GET /v1/models` and describes its models.
import { ProviderError, type ListedModel } from './types.js';

/** Models that take extended thinking: Claude Sonnet 3.7 and the Claude 4 and later lines. */
const THINKING_MODEL = /^claude-(?:3-7-sonnet|(?:opus|sonnet|haiku)-[4-9])/;

/** Every Claude 3 and later model accepts image input. */
const VISION_MODEL = /^claude-(?:[3-9]|(?:opus|sonnet|haiku)-[3-9])/;

/** Context windows from Anthropic's models overview, for listings that do not report one. */
const CONTEXT_WINDOWS: [RegExp, number][] = [
  [/^claude-3/, 200_000],
  [/^claude-(?:opus|sonnet)-4-(?:2025|1-|5-)/, 200_000],
  [/^claude-haiku-4-5/, 200_000],
];

/** One model of a page, with the fields this client reads checked only for `id`. */
export interface ModelRecord {
  id: string;
  display_name?: unknown;
  max_input_tokens?: unknown;
  /** `{thinking: {supported}, image_input: {supported}}` where the API reports them. */
  capabilities?: unknown;
}

/** A checked page: its models and the cursor of the next one. */
export interface ModelPage {
  models: ModelRecord[];
  hasMore: boolean;
  lastId: string | null;
}

/**
 * Checks that a response body is a models page: an object whose `data` is a list of objects with
 * a string `id`. Throws a `malformed` ProviderError naming what is wrong, such as for an HTML page
 * or `{"data": "nope"}`. Records without an id are dropped, as the OpenAI client drops them.
 */
export function readModelPage(body: unknown, baseUrl: string): ModelPage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const described =
      typeof body === 'string' ? `text ${JSON.stringify(body.slice(0, 80))}` : 'JSON';
    throw notAModelList(baseUrl, `the body is ${described}, not a JSON object`);
  }
  const { data, has_more: hasMore, last_id: lastId } = body as Record<string, unknown>;
  if (!Array.isArray(data)) {
    throw notAModelList(baseUrl, 'its "data" field is not a list');
  }
  const models = data.filter(
    (record): record is ModelRecord =>
      typeof record === 'object' &&
      record !== null &&
      typeof (record as { id?: unknown }).id === 'string' &&
      (record as { id: string }).id !== '',
  );
  return {
    models,
    hasMore: hasMore === true,
    lastId: typeof lastId === 'string' && lastId !== '' ? lastId : (models.at(-1)?.id ?? null),
  };
}

/** Describes a model from its record, filling in what the record leaves out from its id. */
export function describeModel(model: ModelRecord): ListedModel {
  const id = model.id;
  const thinking = supported(model.capabilities, 'thinking') ?? THINKING_MODEL.test(id);
  const vision = supported(model.capabilities, 'image_input') ?? VISION_MODEL.test(id);
  const capabilities: ListedModel['capabilities'] = ['chat'];
  if (vision) {
    capabilities.push('vision');
  }
  if (thinking) {
    capabilities.push('reasoning');
  }
  const reported = model.max_input_tokens;
  const contextLength =
    typeof reported === 'number'
      ? reported
      : (CONTEXT_WINDOWS.find(([pattern]) => pattern.test(id))?.[1] ?? null);
  const displayName =
    typeof model.display_name === 'string' && model.display_name !== '' ? model.display_name : id;
  return {
    modelId: id,
    displayName,
    type: thinking ? 'reasoning' : 'chat',
    capabilities,
    contextLength,
  };
}

/** Reads `capabilities[name].supported`, or null when the record does not report it. */
function supported(capabilities: unknown, name: string): boolean | null {
  if (typeof capabilities !== 'object' || capabilities === null) {
    return null;
  }
  const entry = (capabilities as Record<string, unknown>)[name];
  const value =
    typeof entry === 'object' && entry !== null
      ? (entry as { supported?: unknown }).supported
      : null;
  return typeof value === 'boolean' ? value : null;
}

function notAModelList(baseUrl: string, reason: string): ProviderError {
  return new ProviderError(
    'malformed',
    `${baseUrl} sent a response that is not an Anthropic model list (${reason}); check that the base URL points at the Anthropic API, such as https://api.anthropic.com.`,
  );
}
