import { UniqueConstraintError, type Transaction } from 'sequelize';
import type { ProviderKind } from '../../../shared/src/api/providers.js';
import {
  DEFAULT_BASE_URLS,
  normalizeBaseUrl,
  type NormalizedBaseUrl,
} from '../../../shared/src/providers/baseUrl.js';
import type { AppServices } from '../context.js';
import { badRequest, conflict, forbidden, HttpError, invalidFields } from '../errors.js';
import { Provider, type User } from '../models/index.js';
import { maskApiKey } from './apiKeyMask.js';
import { checkHostOnSave, type PrivateNetworkAccess } from './clients/addressPolicy.js';
import { providerNameKey } from './providerNames.js';

/** The length of the `base_url` column. */
const MAX_BASE_URL_LENGTH = 512;

/**
 * The header that carries the API key for each kind. A custom header of that name would replace
 * the key or send a second one, so it is rejected. The Anthropic SDK (1.x) sends the key as a
 * bearer token and the API also reads `x-api-key`.
 */
const KEY_HEADERS: Record<ProviderKind, string[]> = {
  openai: ['authorization'],
  'openai-compatible': ['authorization'],
  anthropic: ['authorization', 'x-api-key'],
  ollama: ['authorization'],
};

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

/** Thrown when a stored key or header value cannot be decrypted, as after APP_SECRET changed. */
export class StoredSecretError extends HttpError {
  constructor(provider: Provider) {
    super(
      409,
      'stored_key_unreadable',
      `The stored API key or headers of provider ${provider.name} cannot be decrypted, because ` +
        "the server's APP_SECRET changed since they were saved; enter the key (and header values) " +
        'again in the provider settings.',
    );
  }
}

/** Creates a provider owned by the user. */
export async function createProvider(
  services: AppServices,
  user: User,
  input: ProviderInput & { kind: ProviderKind; name: string },
): Promise<SavedProvider> {
  assertMayShare(user, input.shared);
  assertHeadersFitKind(input.kind, input.headers);
  await assertNameFree(user.id, input.name);
  const { url, changes } = baseUrlFor(input.kind, input.baseUrl);
  await assertAddressAllowed(url, accessOf(services, user));
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
    allowPrivateNetwork: user.role === 'admin',
  });
  applySecrets(services, provider, input);
  await saveUniqueName(provider);
  return { provider, urlChanges: changes };
}

/**
 * Changes a provider. A new base URL, key or headers resets its connection status and raises its
 * connection version. A base URL on another origin needs the key and headers in the same request,
 * so a stored key is never sent to a host it was not entered for.
 */
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
  assertHeadersFitKind(provider.kind, input.headers);
  if (input.name !== undefined && providerNameKey(input.name) !== provider.nameKey) {
    await assertNameFree(provider.ownerId, input.name);
  }
  if (input.name !== undefined) {
    provider.name = input.name;
  }
  let urlChanges: string[] = [];
  if (input.baseUrl !== undefined) {
    const normalized = baseUrlFor(provider.kind, input.baseUrl);
    assertCredentialsFollow(provider, normalized.url, input);
    await assertAddressAllowed(normalized.url, accessOf(services, user));
    urlChanges = normalized.changes;
    provider.baseUrl = normalized.url;
    provider.allowPrivateNetwork = user.role === 'admin';
  }
  applySecrets(services, provider, input);
  if (input.baseUrl !== undefined || input.apiKey !== undefined || input.headers !== undefined) {
    provider.status = 'unknown';
    provider.lastError = null;
    provider.connectionVersion += 1;
  }
  if (input.shared !== undefined) {
    provider.shared = input.shared;
  }
  if (input.enabled !== undefined) {
    provider.enabled = input.enabled;
  }
  await saveUniqueName(provider);
  return { provider, urlChanges };
}

/**
 * Stores the outcome of a call that checked the provider: status `ok` and no error, or status
 * `error` with the message shown to users, and `lastCheckedAt` now. The row changes only while
 * its connection version is still `version`, so the outcome of a call to an old base URL or key
 * is dropped. Returns whether it was stored.
 */
export async function recordProviderCheck(
  provider: Provider,
  outcome: { ok: true } | { ok: false; message: string },
  version: number,
  transaction?: Transaction,
): Promise<boolean> {
  const values = {
    status: outcome.ok ? ('ok' as const) : ('error' as const),
    lastError: outcome.ok ? null : outcome.message,
    lastCheckedAt: new Date(),
  };
  const [changed] = await Provider.update(values, {
    where: { id: provider.id, connectionVersion: version },
    ...(transaction === undefined ? {} : { transaction }),
  });
  if (changed > 0) {
    provider.set(values);
  }
  return changed > 0;
}

/**
 * Returns the decrypted key and headers, for the provider clients only. Throws StoredSecretError
 * when they cannot be decrypted.
 */
export function providerSecrets(
  services: AppServices,
  provider: Provider,
): { apiKey: string | undefined; headers: Record<string, string> } {
  try {
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
  } catch {
    throw new StoredSecretError(provider);
  }
}

/** Returns the address access of a user's save: allowed for admins, and for all users with PROVIDER_PRIVATE_NETWORKS=all. */
function accessOf(services: AppServices, user: User): PrivateNetworkAccess {
  return user.role === 'admin' || services.config.providerPrivateNetworks === 'all'
    ? 'allowed'
    : 'denied';
}

async function assertAddressAllowed(url: string, access: PrivateNetworkAccess): Promise<void> {
  const rejection = await checkHostOnSave(new URL(url).hostname, access);
  if (rejection !== null) {
    throw invalidFields('body', [{ path: ['baseUrl'], message: rejection.message }]);
  }
}

/**
 * Throws unless a move to another origin comes with the credentials: the key, and the header
 * values, which may be credentials too, must be sent again (or null to remove them).
 */
function assertCredentialsFollow(provider: Provider, url: string, input: ProviderInput): void {
  const from = new URL(provider.baseUrl).origin;
  const to = new URL(url).origin;
  if (from === to) {
    return;
  }
  const missing: string[] = [];
  if (provider.apiKeyEncrypted !== null && input.apiKey === undefined) {
    missing.push('apiKey');
  }
  if (provider.headersEncrypted !== null && input.headers === undefined) {
    missing.push('headers');
  }
  if (missing.length === 0) {
    return;
  }
  throw invalidFields(
    'body',
    missing.map((field) => ({
      path: [field],
      message:
        `is required when the base URL moves from ${from} to ${to}, so the stored ${field} is ` +
        'never sent to a host it was not entered for; send it again, or null to remove it',
    })),
  );
}

function assertHeadersFitKind(
  kind: ProviderKind,
  headers: Record<string, string> | null | undefined,
): void {
  const clash = Object.keys(headers ?? {}).find((name) =>
    KEY_HEADERS[kind].includes(name.toLowerCase()),
  );
  if (clash !== undefined) {
    throw invalidFields('body', [
      {
        path: ['headers', clash],
        message: `carries the API key of ${kind} providers; put the key in apiKey instead`,
      },
    ]);
  }
}

function applySecrets(services: AppServices, provider: Provider, input: ProviderInput): void {
  if (input.apiKey !== undefined) {
    const key = input.apiKey?.trim() ?? '';
    provider.apiKeyEncrypted = key === '' ? null : services.secrets.encrypt(key);
    provider.apiKeyMasked = key === '' ? null : maskApiKey(key);
  }
  if (input.headers !== undefined) {
    const headers = input.headers ?? {};
    const names = Object.keys(headers);
    provider.headersEncrypted =
      names.length === 0 ? null : services.secrets.encrypt(JSON.stringify(headers));
    provider.headerNames = names;
  }
}

function baseUrlFor(kind: ProviderKind, pasted: string | undefined): NormalizedBaseUrl {
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
  const existing = await Provider.findOne({ where: { ownerId, nameKey: providerNameKey(name) } });
  if (existing !== null) {
    throw nameTaken(existing);
  }
}

/**
 * Saves the provider, turning a unique-index violation on (owner, name key) into the same 409 as
 * the lookup before it: two requests that create one name at once both pass the lookup.
 */
async function saveUniqueName(provider: Provider): Promise<void> {
  try {
    await provider.save();
  } catch (error) {
    if (!(error instanceof UniqueConstraintError)) {
      throw error;
    }
    const existing = await Provider.findOne({
      where: { ownerId: provider.ownerId, nameKey: providerNameKey(provider.name) },
    });
    if (existing === null || existing.id === provider.id) {
      throw error;
    }
    throw nameTaken(existing);
  }
}

function nameTaken(existing: Provider): HttpError {
  return conflict(
    'provider_exists',
    `You already have a provider named ${existing.name} (id ${existing.id}); names ignore case, so choose another name.`,
    { existingId: existing.id },
  );
}

function assertMayShare(user: User, shared: boolean | undefined): void {
  if (shared === true && user.role !== 'admin') {
    throw forbidden('Only admins can share a provider with all users.');
  }
}
