import * as vscode from 'vscode';
import type { ApiUser } from '../../../shared/src/api/users.js';
import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import { registerModelConfigCommands } from '../commands/modelConfigCommands.js';
import { registerProviderCommands } from '../commands/providerCommands.js';
import { QuickInputPrompts, type PromptUi } from '../commands/promptUi.js';
import type { Logger } from '../log.js';
import { canChange } from './access.js';
import { MessageNode } from './nodes/messageNode.js';
import { ModelConfigNode } from './nodes/modelConfigNode.js';
import { ModelNode } from './nodes/modelNode.js';
import { ProviderNode } from './nodes/providerNode.js';
import { SyncedModelsNode } from './nodes/syncedModelsNode.js';
import { ProvidersApi } from './providersApi.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const PROVIDERS_VIEW_ID = 'llmWorkbench.providers';

/** Every kind of item in the Providers view except messages. */
export type ProvidersTreeNode = ProviderNode | ModelConfigNode | SyncedModelsNode | ModelNode;

/**
 * The Providers view: the user's providers, each expanding to its model configs and a group of
 * the models of its last sync. It owns the provider and model config commands.
 */
export class ProvidersView extends ServerTreeProvider<ProvidersTreeNode> {
  readonly api: ProvidersApi;
  /** The prompts and messages of the commands. The in-host tests replace it to answer them. */
  prompts: PromptUi;
  /** The prompts on VS Code's QuickInput, whose steps the in-host tests can also drive. */
  readonly quickInputPrompts: QuickInputPrompts;

  constructor(client: ApiClient, store: SessionStore, log: Logger) {
    super(PROVIDERS_VIEW_ID, store, log);
    this.api = new ProvidersApi(client);
    this.quickInputPrompts = new QuickInputPrompts(log);
    this.prompts = this.quickInputPrompts;
    // The view owns the commands of its items and disposes them with itself.
    this.disposables.push(
      this.quickInputPrompts,
      ...registerProviderCommands(this, log),
      ...registerModelConfigCommands(this, log),
    );
  }

  /** Returns the signed-in user, or undefined when signed out. */
  currentUser(): Promise<ApiUser | undefined> {
    return this.store.user();
  }

  protected async loadRoots(): Promise<ProviderNode[]> {
    const [user, providers] = await Promise.all([this.store.user(), this.api.list()]);
    return providers.map(
      (provider) => new ProviderNode(provider, canChange(user, provider.ownerId)),
    );
  }

  protected override async loadChildren(
    parent: ProvidersTreeNode,
  ): Promise<(ProvidersTreeNode | MessageNode)[]> {
    if (parent instanceof ProviderNode) {
      return this.loadProviderChildren(parent);
    }
    if (parent instanceof SyncedModelsNode) {
      if (parent.models.length === 0) {
        return [
          new MessageNode(vscode.l10n.t('No models synced yet: Sync Models'), 'sync', {
            title: vscode.l10n.t('Sync Models'),
            command: 'llmWorkbench.providers.syncModels',
            arguments: [parent],
          }),
        ];
      }
      return parent.models.map((model) => new ModelNode(parent.provider, model));
    }
    return [];
  }

  private async loadProviderChildren(parent: ProviderNode): Promise<ProvidersTreeNode[]> {
    const { provider } = parent;
    const [user, configs, models] = await Promise.all([
      this.store.user(),
      this.api.modelConfigs(provider.id),
      this.api.models(provider.id),
    ]);
    return [
      ...configs.map((config) => new ModelConfigNode(config, canChange(user, config.ownerId))),
      new SyncedModelsNode(provider, models, parent.editable),
    ];
  }
}
