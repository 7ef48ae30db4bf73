import { performance } from 'node:perf_hooks';
import type { AppServices } from '../context.js';
import type { Provider } from '../models/index.js';
import { createProviderClient, ProviderError } from './clients/index.js';
import { providerConnection } from './connection.js';
import { filterListedModels, type FilteredModels } from './listedModels.js';

/** A provider's model list as a sync would store it, and how long listing took. */
export interface ListingResult extends FilteredModels {
  latencyMs: number;
}

/**
 * Lists the provider's models and filters them as a sync stores them (filterListedModels). The
 * connection test and the sync both call this, so they share one time limit,
 * `config.providerListTimeoutMs`, which bounds each request and the whole listing, pages and
 * per-model requests included. Throws the client's ProviderError, with `timeout` for the whole
 * limit, and StoredSecretError when the key cannot be decrypted.
 */
export async function listProviderModels(
  services: AppServices,
  provider: Provider,
): Promise<ListingResult> {
  const timeoutMs = services.config.providerListTimeoutMs;
  const client = createProviderClient(providerConnection(services, provider), {
    requestMs: timeoutMs,
    idleMs: timeoutMs,
  });
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const started = performance.now();
  try {
    const listed = await client.listModels(controller.signal);
    return { ...filterListedModels(listed), latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    if (timedOut && error instanceof ProviderError && error.code === 'aborted') {
      throw new ProviderError(
        'timeout',
        `Provider ${provider.name} at ${provider.baseUrl} did not finish listing its models within ${timeoutMs} ms; check that the server is reachable and not overloaded, or try again.`,
      );
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
