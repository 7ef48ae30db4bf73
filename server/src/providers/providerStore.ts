import type { ProviderKind } from '../../../shared/src/api/providers.js';
import {
  DEFAULT_BASE_URLS,
  normalizeBaseUrl,
  type NormalizedBaseUrl,
} from '../../../shared/src/providers/baseUrl.js';
import type { Transaction } from 'sequelize';
import type { AppServices } from '../context.js';
import { maskSecret } from '../crypto/secretBox.js';
import { badRequest, conflict, forbidden } from '../errors.js';
import { Provider, type User } from '../models/index.js';

/** The length of the `base_url` column. */
const MAX_BASE_URL_LENGTH = 512;

/** The fields of a provider a user sets; `apiKey: null` clears the stored key. */
export interface ProviderInput {
  kind?: ProviderKind;
  name?: string;
  baseUrl?: string;
  apiKey?: string | null;
  headers?: Record<string, string> | null;
  shared?: boolean;
  enabled?: boolean;
}

/** A saved provider with the changes made to its pasted base URL. */
export interface SavedProvider {
  provider: Provider;
  urlChanges: string[];
}

/** Creates a provider owned by the user. */
export async function createProvider(
  services: AppServices,
  user: User,
  input: ProviderInput & { kind: ProviderKind; name: string },
): Promise<SavedProvider> {
  assertMayShare(user, input.shared);
  await assertNameFree(user.id, input.name);
  const { url, changes } = baseUrlFor(input.kind, input.baseUrl);
  const provider = Provider.build({
    ownerId: user.id,
    name: input.name,
    kind: input.kind,
    baseUrl: url,
    apiKeyEncrypted: null,
    apiKeyMasked: null,
    headersEncrypted: null,
    headerNames: [],
    shared: input.shared ?? false,
    enabled: input.enabled ?? true,
    lastError: null,
    lastCheckedAt: null,
  });
  applySecrets(services, provider, input);
  await provider.save();
  return { provider, urlChanges: changes };
}

/** Changes a provider; a new base URL or key resets its connection status. */
export async function updateProvider(
  services: AppServices,
  user: User,
  provider: Provider,
  input: ProviderInput,
): Promise<SavedProvider> {
  assertMayShare(user, input.shared);
  if (input.kind !== undefined && input.kind !== provider.kind) {
    throw badRequest(
      'validation_failed',
      `The kind of provider ${provider.name} cannot change from ${provider.kind}; create a new provider instead.`,
    );
  }
  if (input.name !== undefined && input.name !== provider.name) {
    await assertNameFree(provider.ownerId, input.name);
    provider.name = input.name;
  }
  let urlChanges: string[] = [];
  if (input.baseUrl !== undefined) {
    const normalized = baseUrlFor(provider.kind, input.baseUrl);
    urlChanges = normalized.changes;
    provider.baseUrl = normalized.url;
  }
  applySecrets(services, provider, input);
  if (input.baseUrl !== undefined || input.apiKey !== undefined || input.headers !== undefined) {
    provider.status = 'unknown';
    provider.lastError = null;
  }
  if (input.shared !== undefined) {
    provider.shared = input.shared;
  }
  if (input.enabled !== undefined) {
    provider.enabled = input.enabled;
  }
  await provider.save();
  return { provider, urlChanges };
}

/**
 * Stores the outcome of a call that checked the provider: status `ok` and no error, or status
 * `error` with the message shown to users. Either way `lastCheckedAt` becomes now.
 */
export async function recordProviderCheck(
  provider: Provider,
  outcome: { ok: true } | { ok: false; message: string },
  transaction?: Transaction,
): Promise<void> {
  provider.status = outcome.ok ? 'ok' : 'error';
  provider.lastError = outcome.ok ? null : outcome.message;
  provider.lastCheckedAt = new Date();
  await provider.save(transaction === undefined ? {} : { transaction });
}

/** Returns the decrypted key and headers, for the provider clients only. */
export function providerSecrets(
  services: AppServices,
  provider: Provider,
): { apiKey: string | undefined; headers: Record<string, string> } {
  return {
    apiKey:
      provider.apiKeyEncrypted === null
        ? undefined
        : services.secrets.decrypt(provider.apiKeyEncrypted),
    headers:
      provider.headersEncrypted === null
        ? {}
        : (JSON.parse(services.secrets.decrypt(provider.headersEncrypted)) as Record<
            string,
            string
          >),
  };
}

function applySecrets(services: AppServices, provider: Provider, input: ProviderInput): void {
  if (input.apiKey !== undefined) {
    const key = input.apiKey?.trim() ?? '';
    provider.apiKeyEncrypted = key === '' ? null : services.secrets.encrypt(key);
    provider.apiKeyMasked = key === '' ? null : maskSecret(key);
  }
  if (input.headers !== undefined) {
    const headers = input.headers ?? {};
    const names = Object.keys(headers);
    provider.headersEncrypted =
      names.length === 0 ? null : services.secrets.encrypt(JSON.stringify(headers));
    provider.headerNames = names;
  }
}

function baseUrlFor(kind: ProviderKind, pasted: string | undefined) {
  const value = pasted?.trim() ?? '';
  const fallback = DEFAULT_BASE_URLS[kind];
  if (value === '') {
    if (fallback === undefined) {
      throw badRequest(
        'validation_failed',
        'An openai-compatible provider needs a base URL, such as https://api.deepseek.com/v1.',
        { field: 'baseUrl' },
      );
    }
    return { url: fallback, changes: [`used the default ${fallback}`] };
  }
  let normalized: NormalizedBaseUrl;
  try {
    normalized = normalizeBaseUrl(kind, value);
  } catch (error) {
    throw badRequest('validation_failed', (error as Error).message, { field: 'baseUrl' });
  }
  // Normalizing can make a URL longer: an international host name becomes punycode and
  // characters in the path are percent-encoded.
  if (normalized.url.length > MAX_BASE_URL_LENGTH) {
    throw badRequest(
      'validation_failed',
      `The base URL is ${normalized.url.length} characters long once normalized; the maximum is ${MAX_BASE_URL_LENGTH}.`,
      { field: 'baseUrl' },
    );
  }
  return normalized;
}

async function assertNameFree(ownerId: number, name: string): Promise<void> {
  const existing = await Provider.findOne({ where: { ownerId, name } });
  if (existing !== null) {
    throw conflict(
      'provider_exists',
      `You already have a provider named ${name} (id ${existing.id}); choose another name.`,
      { existingId: existing.id },
    );
  }
}

function assertMayShare(user: User, shared: boolean | undefined): void {
  if (shared === true && user.role !== 'admin') {
    throw forbidden('Only admins can share a provider with all users.');
  }
}
