import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import type { Logger } from '../log.js';
import { ModelNode, type ModelSummary } from './nodes/modelNode.js';
import { ProviderNode, type ProviderSummary } from './nodes/providerNode.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const PROVIDERS_VIEW_ID = 'llmWorkbench.providers';

/** The Providers view: the signed-in user's providers, each expanding to its synced models. */
export class ProvidersView extends ServerTreeProvider<ProviderNode | ModelNode> {
  constructor(
    private readonly client: ApiClient,
    store: SessionStore,
    log: Logger,
  ) {
    super(PROVIDERS_VIEW_ID, store, log);
  }

  protected async loadRoots(): Promise<ProviderNode[]> {
    const { providers } = await this.client.request<{ providers: ProviderSummary[] }>(
      'GET',
      '/api/providers',
    );
    return providers.map((provider) => new ProviderNode(provider));
  }

  protected override async loadChildren(parent: ProviderNode | ModelNode): Promise<ModelNode[]> {
    if (!(parent instanceof ProviderNode)) {
      return [];
    }
    const { models } = await this.client.request<{ models: ModelSummary[] }>(
      'GET',
      `/api/providers/${parent.provider.id}/models`,
    );
    return models.map((model) => new ModelNode(parent.provider.id, model));
  }
}
