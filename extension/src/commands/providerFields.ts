// Checks of the provider fields a user types, with the server's limits. The module has no
// vscode import, so the checks run anywhere and tests call them directly.
import type { ProviderKind } from '../../../shared/src/api/providers.js';
import { DEFAULT_BASE_URLS, normalizeBaseUrl } from '../../../shared/src/providers/baseUrl.js';

/** A problem with a typed value, which blocks it, or a note on how the value will be saved. */
export interface FieldCheck {
  severity: 'error' | 'info';
  message: string;
}

/** The maximum length of a provider name on the server. */
export const MAX_PROVIDER_NAME_LENGTH = 64;
/** The maximum length of a normalized base URL on the server. */
export const MAX_BASE_URL_LENGTH = 512;
/** The maximum length of an API key on the server. */
export const MAX_API_KEY_LENGTH = 4096;

/** A provider kind as the add command offers it. */
export interface ProviderKindInfo {
  kind: ProviderKind;
  label: string;
  description: string;
  /** Whether the provider rejects requests without an API key. */
  requiresApiKey: boolean;
  /** Shown in an empty base URL box. */
  baseUrlExample: string;
}

export const PROVIDER_KIND_INFO: readonly ProviderKindInfo[] = [
  {
    kind: 'openai',
    label: 'OpenAI',
    description: 'GPT and o-series models through the OpenAI API',
    requiresApiKey: true,
    baseUrlExample: 'https://api.openai.com/v1',
  },
  {
    kind: 'anthropic',
    label: 'Anthropic',
    description: 'Claude models through the Anthropic API',
    requiresApiKey: true,
    baseUrlExample: 'https://api.anthropic.com',
  },
  {
    kind: 'ollama',
    label: 'Ollama',
    description: 'Local models served by Ollama; no API key needed',
    requiresApiKey: false,
    baseUrlExample: 'http://127.0.0.1:11434',
  },
  {
    kind: 'openai-compatible',
    label: 'OpenAI-Compatible',
    description: 'Any server with the OpenAI chat API, such as vLLM, LM Studio or DeepSeek',
    requiresApiKey: false,
    baseUrlExample: 'https://api.deepseek.com/v1',
  },
];

/** Returns the add command's description of a kind. */
export function kindInfo(kind: ProviderKind): ProviderKindInfo {
  const info = PROVIDER_KIND_INFO.find((candidate) => candidate.kind === kind);
  if (info === undefined) {
    throw new Error(`Unknown provider kind ${JSON.stringify(kind)}`);
  }
  return info;
}

/** Returns the base URL the add command prefills: the kind's default, or empty. */
export function defaultBaseUrl(kind: ProviderKind): string {
  return DEFAULT_BASE_URLS[kind] ?? '';
}

/** Reports whether text has a tab, line feed or carriage return, which single-line fields reject. */
function hasLineBreak(text: string): boolean {
  return /[\t\n\r]/.test(text);
}

/**
 * Checks a provider name. `takenNames` are the names of the user's other providers, compared
 * exactly as the server does.
 */
export function checkProviderName(
  value: string,
  takenNames: readonly string[] = [],
): FieldCheck | undefined {
  const name = value.trim();
  if (name === '') {
    return { severity: 'error', message: 'Enter a name for the provider.' };
  }
  if (name.length > MAX_PROVIDER_NAME_LENGTH) {
    return {
      severity: 'error',
      message: `The name has ${name.length} characters; the maximum is ${MAX_PROVIDER_NAME_LENGTH}.`,
    };
  }
  if (hasLineBreak(name)) {
    return { severity: 'error', message: 'The name must not contain tabs or line breaks.' };
  }
  if (takenNames.includes(name)) {
    return {
      severity: 'error',
      message: `You already have a provider named ${name}; choose another name.`,
    };
  }
  return undefined;
}

/**
 * Checks a base URL as the server will normalize it. An empty value is valid for kinds with a
 * default URL. A URL the server will change gets an info message that shows the saved form.
 */
export function checkBaseUrl(kind: ProviderKind, value: string): FieldCheck | undefined {
  const pasted = value.trim();
  if (pasted === '') {
    const fallback = DEFAULT_BASE_URLS[kind];
    return fallback === undefined
      ? {
          severity: 'error',
          message: `Enter the base URL of the server, such as ${kindInfo(kind).baseUrlExample}.`,
        }
      : { severity: 'info', message: `Leave it empty to use ${fallback}.` };
  }
  let normalized: { url: string; changes: string[] };
  try {
    normalized = normalizeBaseUrl(kind, pasted);
  } catch (error) {
    return { severity: 'error', message: (error as Error).message };
  }
  if (normalized.url.length > MAX_BASE_URL_LENGTH) {
    return {
      severity: 'error',
      message: `The base URL has ${normalized.url.length} characters once normalized; the maximum is ${MAX_BASE_URL_LENGTH}.`,
    };
  }
  if (normalized.changes.length > 0) {
    return {
      severity: 'info',
      message: `Will be saved as ${normalized.url} (${normalized.changes.join(', ')}).`,
    };
  }
  return undefined;
}

/**
 * Checks an API key. An empty key is an error for kinds that require one, unless `optional` is
 * set, as when editing a provider that keeps its stored key.
 */
export function checkApiKey(
  kind: ProviderKind,
  value: string,
  optional = false,
): FieldCheck | undefined {
  const key = value.trim();
  if (key === '') {
    return kindInfo(kind).requiresApiKey && !optional
      ? { severity: 'error', message: `Enter the API key of your ${kindInfo(kind).label} account.` }
      : undefined;
  }
  if (key.length > MAX_API_KEY_LENGTH) {
    return {
      severity: 'error',
      message: `The API key has ${key.length} characters; the maximum is ${MAX_API_KEY_LENGTH}.`,
    };
  }
  if (hasLineBreak(key)) {
    return {
      severity: 'error',
      message: 'The API key must not contain tabs or line breaks; paste the key alone.',
    };
  }
  return undefined;
}

/** Returns the host (and port) of a base URL for the tree, or the URL itself when unparsable. */
export function baseUrlHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
