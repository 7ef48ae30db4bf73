// Model configurations: a synced (or typed) model of a provider with its sampling parameters.
import type { ApiProviderModel } from './providers.js';

/** How much a model may reason: an effort level or a token budget, as the provider takes it. */
export interface ApiReasoningSetting {
  effort?: 'minimal' | 'low' | 'medium' | 'high';
  budgetTokens?: number;
}

export const MODEL_CONFIG_DEFAULTS = {
  temperature: 0.7,
  maxTokens: 8192,
  topP: 0.9,
  topK: 0,
} as const;

/** A model configuration as the API returns it. */
export interface ApiModelConfig {
  id: number;
  ownerId: number;
  providerId: number;
  providerName: string;
  providerKind: string;
  modelId: string;
  displayName: string;
  temperature: number;
  maxTokens: number;
  topP: number;
  topK: number;
  reasoning: ApiReasoningSetting | null;
  /** Dollars per million input tokens, or null when unknown. */
  priceInputPerMTok: number | null;
  priceOutputPerMTok: number | null;
  enabled: boolean;
  /** True when the model was not in the provider's list at its last sync. */
  modelMissing: boolean;
  /**
   * True when a sync lowered the model's context length below `maxTokens`; changing `maxTokens`
   * or the model clears it.
   */
  exceedsContextLength: boolean;
  createdAt: string;
  updatedAt: string;
}

/**
 * `POST /api/model-configs`; `PATCH /api/model-configs/:id` (or its alias `PUT`) takes the same
 * fields, all optional.
 */
export interface CreateModelConfigRequest {
  providerId: number;
  modelId: string;
  displayName?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  reasoning?: ApiReasoningSetting | null;
  priceInputPerMTok?: number | null;
  priceOutputPerMTok?: number | null;
  enabled?: boolean;
}

/** `POST /api/providers/:id/test`. */
export interface ProviderTestResult {
  ok: boolean;
  latencyMs: number;
  /** The models a sync would store now, after the skipped ones. */
  modelCount: number | null;
  /** Listed models a sync would skip, as `skipped` of a sync reports them; null on failure. */
  skippedCount: number | null;
  /**
   * Whether the outcome became the provider's status. It does only for its owner and admins, so
   * a user testing a shared provider does not change the status everyone reads.
   */
  statusUpdated: boolean;
  /** Present when `ok` is false. */
  error?: {
    /** One of the client's failure kinds: auth, rate_limited, not_found, unreachable, tls, timeout… */
    code: string;
    message: string;
    /** The provider's own error text, when it sent one. */
    providerMessage?: string;
    status?: number;
  };
}

/** A listed model that a sync did not store, with the reason. */
export interface SkippedModel {
  /** The id as JSON text, with invisible and control characters written as `\uXXXX`. */
  modelId: string;
  reason: string;
}

/** `POST /api/providers/:id/sync-models`. */
export interface SyncModelsResult {
  models: ApiProviderModel[];
  added: number;
  removed: number;
  /** Model configs whose model the provider no longer lists; they are kept and flagged. */
  orphanedConfigs: { id: number; displayName: string; modelId: string }[];
  /** Model configs whose maxTokens is now above their model's context length; they are flagged. */
  configsOverLimit: {
    id: number;
    displayName: string;
    modelId: string;
    maxTokens: number;
    contextLength: number;
  }[];
  /** How many listed models were not stored. */
  skippedCount: number;
  /** The first 100 of them with the reason each was skipped. */
  skipped: SkippedModel[];
}
