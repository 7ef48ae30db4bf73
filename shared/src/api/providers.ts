/** The kinds of provider the server can call. */
export const PROVIDER_KINDS = ['openai', 'anthropic', 'ollama', 'openai-compatible'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** A provider as the API returns it; the API key itself never leaves the server. */
export interface ApiProvider {
  id: number;
  ownerId: number;
  name: string;
  kind: ProviderKind;
  baseUrl: string;
  /** Such as `sk-…c3f9`, or null when no key is stored. */
  apiKeyMasked: string | null;
  /** Custom header names; their values are stored encrypted and never returned. */
  headerNames: string[];
  shared: boolean;
  enabled: boolean;
  status: 'unknown' | 'ok' | 'error';
  lastError: string | null;
  lastCheckedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The types of a synced model; the first that applies of embedding, reasoning, vision, chat. */
export const MODEL_TYPES = ['chat', 'embedding', 'vision', 'reasoning'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/**
 * What a synced model can do, in one vocabulary for every kind of provider: `chat` (it replies
 * to messages), `reasoning` (it thinks before replying), `vision` (it reads images), `embedding`
 * (it returns vectors) and `tools` (it calls functions).
 */
export const MODEL_CAPABILITIES = ['chat', 'reasoning', 'vision', 'embedding', 'tools'] as const;
export type ModelCapability = (typeof MODEL_CAPABILITIES)[number];

/** A model synced from a provider. */
export interface ApiProviderModel {
  id: number;
  modelId: string;
  displayName: string;
  type: ModelType;
  capabilities: ModelCapability[];
  contextLength: number | null;
}

/** `DELETE /api/providers/:id`: what was deleted with the provider. */
export interface DeleteProviderResult {
  deleted: {
    providerId: number;
    /** Synced models removed with the provider. */
    models: number;
    /** Model configs removed with the provider, those of other users included. */
    modelConfigs: number;
  };
}
