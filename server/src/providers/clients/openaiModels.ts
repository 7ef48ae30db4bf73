// Turns a `GET /models` response from an OpenAI-compatible server into listed models.
import type { ModelCapability } from '../../../../shared/src/api/providers.js';
import type { ListedModel } from './types.js';

/**
 * Ids of models that the chat-completions endpoint does not serve: speech, transcription, image
 * and video generation, moderation, realtime sessions and the legacy completion models.
 */
const SKIPPED_IDS = [
  /whisper/,
  /(^|[/-])tts/,
  /transcribe/,
  /dall-e/,
  /gpt-image/,
  /sora/,
  /moderation/,
  /realtime/,
  /-audio/,
  /^(babbage|davinci)-/,
];

/** Embedding models: OpenAI's text-embedding-*, nomic-embed-text, bge-*, gte-*, e5-*. */
const EMBEDDING_IDS = [/embed/, /(^|\/)(bge|gte|e5)-/];

/**
 * Models that reason before replying: OpenAI's o-series and gpt-5 (not gpt-5-chat), DeepSeek R1
 * and deepseek-reasoner, QwQ and QvQ, and ids containing thinking or reasoning.
 */
const REASONING_IDS = [
  /(^|\/)o\d+(-|$)/,
  /(^|\/)gpt-5(?!.*-chat)/,
  /deepseek-reasoner/,
  /(^|[/-])r1([-:]|$)/,
  /qwq/,
  /qvq/,
  /thinking/,
  /reasoning/,
];

/**
 * Models that read images: ids containing vision or VL, GPT-4o, GPT-4.1, GPT-4 Turbo, gpt-5, o1,
 * o3, o4-mini (not o1-mini or o3-mini), LLaVA, Pixtral, QvQ and Gemma 3.
 */
const VISION_IDS = [
  /vision/,
  /(^|[/-])vl([-:]|$)/,
  /gpt-4o/,
  /gpt-4\.1/,
  /gpt-4-turbo/,
  /(^|\/)gpt-5/,
  /(^|\/)(o1|o3)(-(?!mini|preview)|$)/,
  /(^|\/)o4-mini/,
  /llava/,
  /pixtral/,
  /qvq/,
  /gemma-?3/,
];

/** One model record; servers add fields of their own beyond `id`. */
interface ModelRecord {
  id?: unknown;
  name?: unknown;
  /** vLLM. */
  max_model_len?: unknown;
  /** OpenRouter and others. */
  context_length?: unknown;
  /** Groq and others. */
  context_window?: unknown;
  /** LM Studio. */
  max_context_length?: unknown;
  /** OpenRouter: `input_modalities` lists `image` for vision models. */
  architecture?: { input_modalities?: unknown };
  /** OpenRouter: lists `reasoning` for models that think and `tools` for those that call tools. */
  supported_parameters?: unknown;
}

/**
 * Lists the models of a `GET /models` body, skipping ones chat cannot use. The type is the first
 * that applies of embedding, reasoning, vision and chat. Returns null when the body is not a
 * model list.
 */
export function listedModels(body: unknown): ListedModel[] | null {
  if (
    typeof body !== 'object' ||
    body === null ||
    !Array.isArray((body as { data?: unknown }).data)
  ) {
    return null;
  }
  const records = (body as { data: unknown[] }).data;
  const models: ListedModel[] = [];
  for (const record of records) {
    if (typeof record !== 'object' || record === null) {
      continue;
    }
    const model = listedModel(record);
    if (model !== null) {
      models.push(model);
    }
  }
  return models;
}

function listedModel(record: ModelRecord): ListedModel | null {
  if (typeof record.id !== 'string' || record.id === '') {
    return null;
  }
  const id = record.id.toLowerCase();
  if (SKIPPED_IDS.some((pattern) => pattern.test(id))) {
    return null;
  }
  const displayName =
    typeof record.name === 'string' && record.name !== '' ? record.name : record.id;
  const contextLength = contextLengthOf(record);
  if (EMBEDDING_IDS.some((pattern) => pattern.test(id))) {
    return {
      modelId: record.id,
      displayName,
      type: 'embedding',
      capabilities: ['embedding'],
      contextLength,
    };
  }

  const capabilities: ModelCapability[] = ['chat'];
  if (isReasoning(id, record)) {
    capabilities.push('reasoning');
  }
  if (isVision(id, record)) {
    capabilities.push('vision');
  }
  const parameters = record.supported_parameters;
  if (Array.isArray(parameters) && parameters.includes('tools')) {
    capabilities.push('tools');
  }
  const type = capabilities.includes('reasoning')
    ? 'reasoning'
    : capabilities.includes('vision')
      ? 'vision'
      : 'chat';
  return { modelId: record.id, displayName, type, capabilities, contextLength };
}

function isReasoning(id: string, record: ModelRecord): boolean {
  const parameters = record.supported_parameters;
  if (Array.isArray(parameters) && parameters.includes('reasoning')) {
    return true;
  }
  return REASONING_IDS.some((pattern) => pattern.test(id));
}

function isVision(id: string, record: ModelRecord): boolean {
  const modalities = record.architecture?.input_modalities;
  if (Array.isArray(modalities) && modalities.includes('image')) {
    return true;
  }
  return VISION_IDS.some((pattern) => pattern.test(id));
}

function contextLengthOf(record: ModelRecord): number | null {
  for (const value of [
    record.max_model_len,
    record.context_length,
    record.context_window,
    record.max_context_length,
  ]) {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) {
      return value;
    }
  }
  return null;
}
