import type { ProviderKind } from '../api/providers.js';

/** A base URL as the SDK of its kind expects it, with what was changed from the pasted one. */
export interface NormalizedBaseUrl {
  url: string;
  changes: string[];
}

/** Default base URLs, used when a user leaves the field empty. */
export const DEFAULT_BASE_URLS: Record<ProviderKind, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  ollama: 'http://127.0.0.1:11434',
  'openai-compatible': undefined,
};

/** Endpoint paths people paste by mistake, longest first, by kind. */
const ENDPOINT_SUFFIXES: Record<ProviderKind, string[]> = {
  openai: ['/chat/completions', '/completions', '/responses', '/models'],
  'openai-compatible': ['/chat/completions', '/completions', '/responses', '/models'],
  anthropic: ['/v1/messages', '/messages', '/v1/models', '/v1'],
  ollama: ['/api/chat', '/api/generate', '/api/tags', '/api', '/v1/chat/completions', '/v1'],
};

/**
 * Normalizes a pasted base URL for a provider kind. The OpenAI SDK appends paths such as
 * `/chat/completions` to a base that ends in the API version (`/v1`). The Anthropic SDK appends
 * `/v1/messages` to the bare host, and the Ollama client appends `/api/chat` to it. Throws an
 * Error naming the value when it is not an http(s) URL.
 */
export function normalizeBaseUrl(kind: ProviderKind, pasted: string): NormalizedBaseUrl {
  let url: URL;
  try {
    url = new URL(pasted.trim());
  } catch {
    throw new Error(
      `Base URL ${JSON.stringify(pasted)} is not a URL; enter one such as https://api.example.com/v1.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`Base URL ${JSON.stringify(pasted)} must start with http:// or https://.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error('Put credentials in the API key field, not in the base URL.');
  }
  const changes: string[] = [];
  if (url.search !== '' || url.hash !== '') {
    changes.push(`removed ${url.search}${url.hash}`);
    url.search = '';
    url.hash = '';
  }
  let path = url.pathname.replace(/\/+$/, '');
  const hadTrailingSlash = path !== url.pathname && path !== '';
  for (const suffix of ENDPOINT_SUFFIXES[kind]) {
    if (path.toLowerCase().endsWith(suffix)) {
      path = path.slice(0, -suffix.length).replace(/\/+$/, '');
      changes.push(`removed ${suffix}`);
      return finish(url, path, kind, changes);
    }
  }
  if (hadTrailingSlash) {
    changes.push('removed the trailing /');
  }
  return finish(url, path, kind, changes);
}

function finish(url: URL, path: string, kind: ProviderKind, changes: string[]): NormalizedBaseUrl {
  let normalizedPath = path;
  if ((kind === 'openai' || kind === 'openai-compatible') && !/\/v\d+(?:beta\d*)?$/i.test(path)) {
    normalizedPath = `${path}/v1`;
    changes.push('added /v1');
  }
  return { url: `${url.origin}${normalizedPath}`, changes };
}
