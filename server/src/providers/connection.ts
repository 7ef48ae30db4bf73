import type { AppServices } from '../context.js';
import type { Provider } from '../models/index.js';
import type { ProviderConnection } from './clients/types.js';
import { providerSecrets } from './providerStore.js';

/**
 * Builds the connection a provider client needs from a stored provider, with its API key and
 * header values decrypted. The provider may reach private networks when an admin saved its base
 * URL or the server allows it for everyone (PROVIDER_PRIVATE_NETWORKS=all). The result contains
 * secrets, so keep it out of logs and responses. Throws StoredSecretError when the secrets
 * cannot be decrypted.
 */
export function providerConnection(services: AppServices, provider: Provider): ProviderConnection {
  const { apiKey, headers } = providerSecrets(services, provider);
  const privateAllowed =
    provider.allowPrivateNetwork || services.config.providerPrivateNetworks === 'all';
  return {
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    apiKey: apiKey ?? null,
    headers,
    privateNetworks: privateAllowed ? 'allowed' : 'denied',
  };
}
