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

/** A model synced from a provider. */
export interface ApiProviderModel {
  id: number;
  modelId: string;
  displayName: string;
  type: 'chat' | 'embedding' | 'vision' | 'reasoning';
  capabilities: string[];
  contextLength: number | null;
}
