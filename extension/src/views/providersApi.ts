import type {
  ApiModelConfig,
  CreateModelConfigRequest,
  ProviderTestResult,
  SyncModelsResult,
} from '../../../shared/src/api/modelConfigs.js';
import type {
  ApiProvider,
  ApiProviderModel,
  ProviderKind,
} from '../../../shared/src/api/providers.js';
import type { ApiClient } from '../api/client.js';

/** `POST /api/providers`; an empty base URL takes the kind's default. */
export interface CreateProviderRequest {
  kind: ProviderKind;
  name: string;
  baseUrl?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  shared?: boolean;
  enabled?: boolean;
}

/** `PATCH /api/providers/:id`: the fields to change; `apiKey: null` clears the stored key. */
export interface UpdateProviderRequest {
  name?: string;
  baseUrl?: string;
  apiKey?: string | null;
  /** `null` removes every custom header. */
  headers?: Record<string, string> | null;
  enabled?: boolean;
}

/** A saved provider with what the server changed in the base URL it was sent. */
export interface SavedProvider {
  provider: ApiProvider;
  urlChanges: string[];
}

/** `PUT /api/model-configs/:id`: the fields to change. */
export type UpdateModelConfigRequest = Partial<Omit<CreateModelConfigRequest, 'providerId'>>;

/** Syncing and testing wait for the provider, which can take longer than the client's 30 s. */
const PROVIDER_CALL_TIMEOUT_MS = 120_000;

/** Typed calls of the provider and model config endpoints. */
export class ProvidersApi {
  constructor(private readonly client: ApiClient) {}

  async list(): Promise<ApiProvider[]> {
    const { providers } = await this.client.request<{ providers: ApiProvider[] }>(
      'GET',
      '/api/providers',
    );
    return providers;
  }

  create(body: CreateProviderRequest): Promise<SavedProvider> {
    return this.client.request<SavedProvider>('POST', '/api/providers', { body });
  }

  update(id: number, body: UpdateProviderRequest): Promise<SavedProvider> {
    return this.client.request<SavedProvider>('PATCH', `/api/providers/${id}`, { body });
  }

  /** Deletes a provider; `force` also deletes other users' model configs on a shared one. */
  async remove(id: number, force = false): Promise<void> {
    await this.client.request<unknown>(
      'DELETE',
      `/api/providers/${id}${force ? '?force=true' : ''}`,
    );
  }

  /** Returns the models stored at the provider's last sync. */
  async models(id: number): Promise<ApiProviderModel[]> {
    const { models } = await this.client.request<{ models: ApiProviderModel[] }>(
      'GET',
      `/api/providers/${id}/models`,
    );
    return models;
  }

  syncModels(id: number, signal?: AbortSignal): Promise<SyncModelsResult> {
    return this.client.request<SyncModelsResult>('POST', `/api/providers/${id}/sync-models`, {
      timeoutMs: PROVIDER_CALL_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  test(id: number, signal?: AbortSignal): Promise<ProviderTestResult> {
    return this.client.request<ProviderTestResult>('POST', `/api/providers/${id}/test`, {
      timeoutMs: PROVIDER_CALL_TIMEOUT_MS,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  /** Lists the model configs the user may use, of one provider when `providerId` is given. */
  async modelConfigs(providerId?: number): Promise<ApiModelConfig[]> {
    const query = providerId === undefined ? '' : `?providerId=${providerId}`;
    const { modelConfigs } = await this.client.request<{ modelConfigs: ApiModelConfig[] }>(
      'GET',
      `/api/model-configs${query}`,
    );
    return modelConfigs;
  }

  async createModelConfig(body: CreateModelConfigRequest): Promise<ApiModelConfig> {
    const { modelConfig } = await this.client.request<{ modelConfig: ApiModelConfig }>(
      'POST',
      '/api/model-configs',
      { body },
    );
    return modelConfig;
  }

  async updateModelConfig(id: number, body: UpdateModelConfigRequest): Promise<ApiModelConfig> {
    const { modelConfig } = await this.client.request<{ modelConfig: ApiModelConfig }>(
      'PUT',
      `/api/model-configs/${id}`,
      { body },
    );
    return modelConfig;
  }

  async removeModelConfig(id: number): Promise<void> {
    await this.client.request<undefined>('DELETE', `/api/model-configs/${id}`);
  }
}
