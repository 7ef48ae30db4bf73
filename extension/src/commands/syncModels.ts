import * as vscode from 'vscode';
import type { SyncModelsResult } from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider } from '../../../shared/src/api/providers.js';
import { ApiError } from '../api/errors.js';
import type { Logger } from '../log.js';
import type { ProvidersView } from '../views/providersView.js';
import { abortSignalOf, failureReason, isCancellation } from './commandSupport.js';

/**
 * Syncs a provider's models with a progress notification, then reports the counts and warns
 * about model configs whose model is gone. Resolves with the result, or undefined on failure.
 */
export async function syncProviderModels(
  view: ProvidersView,
  log: Logger,
  provider: ApiProvider,
): Promise<SyncModelsResult | undefined> {
  let result: SyncModelsResult;
  try {
    result = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Syncing the models of {0}…', provider.name),
        cancellable: true,
      },
      (_progress, token) => view.api.syncModels(provider.id, abortSignalOf(token)),
    );
  } catch (error) {
    view.refresh();
    if (!isCancellation(error)) {
      await view.prompts.showError(
        vscode.l10n.t(
          'Could not sync the models of {0}: {1}',
          provider.name,
          describeSyncFailure(error),
        ),
        error,
      );
    }
    return undefined;
  }
  log.info(
    `Synced ${result.models.length} models of ${provider.name} (id ${provider.id}): ` +
      `${result.added} added, ${result.removed} removed`,
  );
  view.refresh();
  void view.prompts.notify(
    'info',
    vscode.l10n.t(
      'Synced {0} models from {1}: {2} added, {3} removed.',
      result.models.length,
      provider.name,
      result.added,
      result.removed,
    ),
  );
  if (result.orphanedConfigs.length > 0) {
    void view.prompts.notify(
      'warning',
      vscode.l10n.t(
        'These model configs use models that {0} no longer lists: {1}. They are kept and marked with a warning.',
        provider.name,
        result.orphanedConfigs
          .map((config) => `${config.displayName} (${config.modelId})`)
          .join(', '),
      ),
    );
  }
  return result;
}

/** Adds the provider's own text of a failed sync (a 502 from the server) to its message. */
function describeSyncFailure(error: unknown): string {
  const reason = failureReason(error);
  if (!(error instanceof ApiError)) {
    return reason;
  }
  const details = error.details as { providerMessage?: string } | undefined;
  const providerMessage = details?.providerMessage;
  return providerMessage === undefined || reason.includes(providerMessage)
    ? reason
    : vscode.l10n.t('{0} The provider answered: {1}', reason, providerMessage);
}
