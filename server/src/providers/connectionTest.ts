import { performance } from 'node:perf_hooks';
import type { ProviderTestResult } from '../../../shared/src/api/modelConfigs.js';
import type { AppServices } from '../context.js';
import type { Provider, User } from '../models/index.js';
import { ProviderError } from './clients/index.js';
import { listProviderModels } from './modelListing.js';
import { recordProviderCheck, StoredSecretError } from './providerStore.js';

/**
 * Checks that the provider responds and accepts its key by listing its models, and measures how
 * long that takes (see listProviderModels for the time limit). A failed call is part of the
 * result, not an exception: `error` carries the client's code and message with the provider's
 * own text. The outcome becomes the provider's status only when the user owns the provider or is
 * an admin, so testing a shared provider does not change the status every user reads.
 */
export async function testProviderConnection(
  services: AppServices,
  user: User,
  provider: Provider,
): Promise<ProviderTestResult> {
  const version = provider.connectionVersion;
  const mayRecord = user.role === 'admin' || provider.ownerId === user.id;
  const started = performance.now();
  try {
    const listing = await listProviderModels(services, provider);
    const statusUpdated = mayRecord && (await recordProviderCheck(provider, { ok: true }, version));
    return {
      ok: true,
      latencyMs: listing.latencyMs,
      modelCount: listing.models.length,
      skippedCount: listing.skipped.length,
      statusUpdated,
    };
  } catch (caught) {
    if (!(caught instanceof ProviderError || caught instanceof StoredSecretError)) {
      throw caught;
    }
    const message = caught.message;
    const statusUpdated =
      mayRecord && (await recordProviderCheck(provider, { ok: false, message }, version));
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      modelCount: null,
      skippedCount: null,
      statusUpdated,
      error: testError(caught),
    };
  }
}

function testError(
  error: ProviderError | StoredSecretError,
): NonNullable<ProviderTestResult['error']> {
  if (error instanceof StoredSecretError) {
    return { code: error.code, message: error.message };
  }
  const { providerMessage, status } = error.details;
  return {
    code: error.code,
    message: error.message,
    ...(providerMessage === undefined ? {} : { providerMessage }),
    ...(status === undefined ? {} : { status }),
  };
}
