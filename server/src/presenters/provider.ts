import type { ApiProvider, ApiProviderModel } from '../../../shared/src/api/providers.js';
import type { Provider, ProviderModel } from '../models/index.js';
import { normalizeCapabilities } from '../providers/listedModels.js';

/** Shapes a provider for API responses: the masked key and header names, never the secrets. */
export function presentProvider(provider: Provider): ApiProvider {
  return {
    id: provider.id,
    ownerId: provider.ownerId,
    name: provider.name,
    kind: provider.kind,
    baseUrl: provider.baseUrl,
    apiKeyMasked: provider.apiKeyMasked,
    headerNames: provider.headerNames,
    shared: provider.shared,
    enabled: provider.enabled,
    status: provider.status,
    lastError: provider.lastError,
    lastCheckedAt: provider.lastCheckedAt?.toISOString() ?? null,
    createdAt: provider.createdAt.toISOString(),
    updatedAt: provider.updatedAt.toISOString(),
  };
}

/** Shapes a synced model; capabilities stored by earlier syncs get the shared vocabulary. */
export function presentProviderModel(model: ProviderModel): ApiProviderModel {
  return {
    id: model.id,
    modelId: model.modelId,
    displayName: model.displayName,
    type: model.type,
    capabilities: normalizeCapabilities(model.capabilities),
    contextLength: model.contextLength,
  };
}
