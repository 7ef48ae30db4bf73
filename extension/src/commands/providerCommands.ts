import * as vscode from 'vscode';
import type { SyncModelsResult } from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider } from '../../../shared/src/api/providers.js';
import type { Logger } from '../log.js';
import type { ProvidersView } from '../views/providersView.js';
import {
  abortSignalOf,
  failureReason,
  isCancellation,
  isRejectedInput,
  registerGuarded,
  resolveProvider,
  type ProviderTarget,
} from './commandSupport.js';
import {
  askNewProvider,
  askProviderChanges,
  type NewProviderDraft,
  type ProviderEditDraft,
} from './providerFlows.js';
import { syncProviderModels } from './syncModels.js';

/** Registers the provider commands of the Providers view (`llmWorkbench.providers.<verb>`). */
export function registerProviderCommands(view: ProvidersView, log: Logger): vscode.Disposable[] {
  const commands = new ProviderCommands(view, log);
  return [
    registerGuarded(view, 'add', vscode.l10n.t('Add Provider'), () => commands.add()),
    registerGuarded(view, 'edit', vscode.l10n.t('Edit Provider'), (target?: ProviderTarget) =>
      commands.edit(target),
    ),
    registerGuarded(view, 'delete', vscode.l10n.t('Delete Provider'), (target?: ProviderTarget) =>
      commands.remove(target),
    ),
    registerGuarded(view, 'syncModels', vscode.l10n.t('Sync Models'), (target?: ProviderTarget) =>
      commands.syncModels(target),
    ),
    registerGuarded(
      view,
      'testConnection',
      vscode.l10n.t('Test Connection'),
      (target?: ProviderTarget) => commands.testConnection(target),
    ),
  ];
}

class ProviderCommands {
  constructor(
    private readonly view: ProvidersView,
    private readonly log: Logger,
  ) {}

  private get ui() {
    return this.view.prompts;
  }

  /** Adds a provider; on a rejected save the user can correct the entries and try again. */
  async add(): Promise<ApiProvider | undefined> {
    const takenNames = await this.providerNamesOf((await this.view.currentUser())?.id);
    const draft: NewProviderDraft = {};
    for (;;) {
      const request = await askNewProvider(this.ui, takenNames, draft);
      if (request === undefined) {
        return undefined;
      }
      try {
        const { provider, urlChanges } = await this.view.api.create(request);
        this.log.info(`Added provider ${provider.name} (id ${provider.id}, ${provider.kind})`);
        this.view.refresh();
        void this.offerNextSteps(
          provider,
          urlChanges,
          vscode.l10n.t('Added provider {0}.', provider.name),
        );
        return provider;
      } catch (error) {
        const retry = vscode.l10n.t('Edit and Retry');
        const choice = await this.ui.showError(
          vscode.l10n.t('Could not add provider {0}: {1}', request.name, failureReason(error)),
          error,
          ...(isRejectedInput(error) ? [retry] : []),
        );
        if (choice !== retry) {
          return undefined;
        }
      }
    }
  }

  async edit(target?: ProviderTarget): Promise<ApiProvider | undefined> {
    const provider = await resolveProvider(
      this.view,
      target,
      vscode.l10n.t('Choose the provider to edit'),
      true,
    );
    if (provider === undefined) {
      return undefined;
    }
    const takenNames = (await this.providerNamesOf(provider.ownerId)).filter(
      (name) => name !== provider.name,
    );
    const draft: ProviderEditDraft = {};
    for (;;) {
      const changes = await askProviderChanges(this.ui, provider, takenNames, draft);
      if (changes === undefined) {
        return undefined;
      }
      if (Object.keys(changes).length === 0) {
        void this.ui.notify('info', vscode.l10n.t('Provider {0} is unchanged.', provider.name));
        return provider;
      }
      try {
        const saved = await this.view.api.update(provider.id, changes);
        this.log.info(
          `Changed ${Object.keys(changes).join(', ')} of provider ${saved.provider.name} (id ${provider.id})`,
        );
        this.view.refresh();
        void this.ui.notify(
          'info',
          withUrlChanges(vscode.l10n.t('Saved provider {0}.', saved.provider.name), saved),
        );
        return saved.provider;
      } catch (error) {
        const retry = vscode.l10n.t('Edit and Retry');
        const choice = await this.ui.showError(
          vscode.l10n.t('Could not save provider {0}: {1}', provider.name, failureReason(error)),
          error,
          ...(isRejectedInput(error) ? [retry] : []),
        );
        if (choice !== retry) {
          return undefined;
        }
      }
    }
  }

  /** Deletes a provider after a modal confirmation; its model configs go with it. */
  async remove(target?: ProviderTarget): Promise<boolean> {
    const provider = await resolveProvider(
      this.view,
      target,
      vscode.l10n.t('Choose the provider to delete'),
      true,
    );
    if (provider === undefined) {
      return false;
    }
    try {
      const configs = await this.view.api.modelConfigs(provider.id);
      const confirmed = await this.ui.confirm(
        vscode.l10n.t('Delete provider {0}?', provider.name),
        configs.length === 0
          ? vscode.l10n.t('Its synced models are deleted with it. This cannot be undone.')
          : vscode.l10n.t(
              'Its {0} model configs ({1}) and its synced models are deleted with it. This cannot be undone.',
              configs.length,
              configs.map((config) => config.displayName).join(', '),
            ),
        vscode.l10n.t('Delete'),
      );
      if (!confirmed) {
        return false;
      }
      await this.removeConfirmingOthers(provider);
      this.log.info(`Deleted provider ${provider.name} (id ${provider.id})`);
      this.view.refresh();
      return true;
    } catch (error) {
      await this.ui.showError(
        vscode.l10n.t('Could not delete provider {0}: {1}', provider.name, failureReason(error)),
        error,
      );
      return false;
    }
  }

  /**
   * Deletes the provider. When other users' model configs use a shared provider, the server
   * refuses with `provider_in_use` and its message; a second confirmation deletes them too.
   */
  private async removeConfirmingOthers(provider: { id: number; name: string }): Promise<void> {
    try {
      await this.view.api.remove(provider.id);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'provider_in_use') {
        throw error;
      }
      const confirmed = await this.ui.confirm(
        vscode.l10n.t('Other users use provider {0}', provider.name),
        (error as Error).message,
        vscode.l10n.t('Delete for Everyone'),
      );
      if (!confirmed) {
        throw error;
      }
      await this.view.api.remove(provider.id, true);
    }
  }

  /** Replaces the provider's stored model list with what it lists now. */
  async syncModels(target?: ProviderTarget): Promise<SyncModelsResult | undefined> {
    const provider = await resolveProvider(
      this.view,
      target,
      vscode.l10n.t('Choose the provider whose models to sync'),
      true,
    );
    if (provider === undefined) {
      return undefined;
    }
    return syncProviderModels(this.view, this.log, provider);
  }

  async testConnection(target?: ProviderTarget): Promise<boolean | undefined> {
    const provider = await resolveProvider(
      this.view,
      target,
      vscode.l10n.t('Choose the provider to test'),
    );
    if (provider === undefined) {
      return undefined;
    }
    try {
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Testing the connection to {0}…', provider.name),
          cancellable: true,
        },
        (_progress, token) => this.view.api.test(provider.id, abortSignalOf(token)),
      );
      this.view.refresh();
      if (result.ok) {
        this.log.info(`Connection test of ${provider.name}: ok in ${result.latencyMs} ms`);
        void this.ui.notify(
          'info',
          result.modelCount === null
            ? vscode.l10n.t('{0} is reachable ({1} ms).', provider.name, result.latencyMs)
            : vscode.l10n.t(
                '{0} is reachable ({1} ms) and lists {2} models.',
                provider.name,
                result.latencyMs,
                result.modelCount,
              ),
        );
        return true;
      }
      const failure = result.error;
      const providerText =
        failure?.providerMessage === undefined || failure.message.includes(failure.providerMessage)
          ? ''
          : vscode.l10n.t(' The provider answered: {0}', failure.providerMessage);
      void this.ui.showError(
        vscode.l10n.t(
          'Connection test of {0} failed: {1}{2}',
          provider.name,
          failure?.message ?? vscode.l10n.t('unknown error'),
          providerText,
        ),
        failure,
      );
      return false;
    } catch (error) {
      if (isCancellation(error)) {
        return undefined;
      }
      await this.ui.showError(
        vscode.l10n.t('Could not test provider {0}: {1}', provider.name, failureReason(error)),
        error,
      );
      return undefined;
    }
  }

  /** Returns the names of an owner's providers, which are unique per owner on the server. */
  private async providerNamesOf(ownerId: number | undefined): Promise<string[]> {
    const providers = await this.view.api.list();
    return providers
      .filter((provider) => provider.ownerId === ownerId)
      .map((provider) => provider.name);
  }

  private async offerNextSteps(
    provider: ApiProvider,
    urlChanges: string[],
    message: string,
  ): Promise<void> {
    const sync = vscode.l10n.t('Sync Models');
    const test = vscode.l10n.t('Test Connection');
    const choice = await this.ui.notify(
      'info',
      withUrlChanges(message, { provider, urlChanges }),
      sync,
      test,
    );
    const target: ProviderTarget = { provider };
    if (choice === sync) {
      await vscode.commands.executeCommand('llmWorkbench.providers.syncModels', target);
    } else if (choice === test) {
      await vscode.commands.executeCommand('llmWorkbench.providers.testConnection', target);
    }
  }
}

function withUrlChanges(
  message: string,
  saved: { provider: ApiProvider; urlChanges: string[] },
): string {
  if (saved.urlChanges.length === 0) {
    return message;
  }
  return vscode.l10n.t(
    '{0} The base URL was saved as {1} ({2}).',
    message,
    saved.provider.baseUrl,
    saved.urlChanges.join(', '),
  );
}
