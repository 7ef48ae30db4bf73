import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ModelConfig, Provider } from '../models/index.js';

/** Shapes a model config for API responses, with the name and kind of its provider. */
export function presentModelConfig(config: ModelConfig, provider: Provider): ApiModelConfig {
  return {
    id: config.id,
    ownerId: config.ownerId,
    providerId: config.providerId,
    providerName: provider.name,
    providerKind: provider.kind,
    modelId: config.modelId,
    displayName: config.displayName,
    temperature: config.temperature,
    maxTokens: config.maxTokens,
    topP: config.topP,
    topK: config.topK,
    reasoning: config.reasoning,
    priceInputPerMTok: config.priceInputPerMTok,
    priceOutputPerMTok: config.priceOutputPerMTok,
    enabled: config.enabled,
    modelMissing: config.modelMissing,
    exceedsContextLength: config.exceedsContextLength,
    createdAt: config.createdAt.toISOString(),
    updatedAt: config.updatedAt.toISOString(),
  };
}
