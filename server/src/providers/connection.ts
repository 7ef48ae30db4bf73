import type { AppServices } from '../context.js';
import type { Provider } from '../models/index.js';
import type { ProviderConnection } from './clients/types.js';
import { providerSecrets } from './providerStore.js';

/**
 * Builds the connection a provider client needs from a stored provider, with its API key and
 * header values decrypted. The result contains secrets, so keep it out of logs and responses.
 */
export function providerConnection(services: AppServices, provider: Provider): ProviderConnection {
  const { apiKey, headers } = providerSecrets(services, provider);
  return { kind: provider.kind, baseUrl: provider.baseUrl, apiKey: apiKey ?? null, headers };
}
