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

/** Endpoint paths of the OpenAI-style APIs, which sit after the API version. */
const OPENAI_ENDPOINTS = [
  '/chat/completions',
  '/completions',
  '/responses',
  '/embeddings',
  '/messages',
  '/models',
];

/**
 * Endpoint paths people paste by mistake, longest first, by kind. Each kind also strips the
 * endpoints of the other kinds, because people paste the URL of one API into the form of another,
 * such as Anthropic's `/v1/messages` into an OpenAI-compatible provider.
 */
const ENDPOINT_SUFFIXES: Record<ProviderKind, string[]> = {
  openai: OPENAI_ENDPOINTS,
  'openai-compatible': OPENAI_ENDPOINTS,
  anthropic: [
    '/v1/chat/completions',
    '/v1/messages',
    '/v1/complete',
    '/v1/models',
    '/messages',
    '/v1',
  ],
  ollama: [
    '/v1/chat/completions',
    '/api/embeddings',
    '/api/generate',
    '/api/embed',
    '/api/chat',
    '/api/tags',
    '/api/show',
    '/v1/models',
    '/api',
    '/v1',
  ],
};

/**
 * Normalizes a pasted base URL for a provider kind. The OpenAI SDK appends paths such as
 * `/chat/completions` to a base that ends in the API version (`/v1`). The Anthropic SDK appends
 * `/v1/messages` to the bare host, and the Ollama client appends `/api/chat` to it. Throws an
 * Error naming the value when it is not an http(s) URL, carries credentials, a query string or
 * path parameters.
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
  // The SDKs append their endpoint paths after the base URL, so a query string would end up in
  // the middle of every request path.
  if (url.search !== '') {
    throw new Error(
      `Base URL ${JSON.stringify(pasted)} has the query string ${url.search}; remove it. ` +
        'Services that need one, such as Azure OpenAI, are not supported yet.',
    );
  }
  if (url.pathname.includes(';')) {
    throw new Error(
      `Base URL ${JSON.stringify(pasted)} has ";" parameters in its path; remove them.`,
    );
  }
  const changes: string[] = [];
  if (url.hash !== '') {
    changes.push(`removed ${url.hash}`);
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
