import * as vscode from 'vscode';
import type { ApiProvider, ApiProviderModel } from '../../../../shared/src/api/providers.js';

/**
 * The "Synced models" group under a provider, which lists the models of its last sync. The
 * context value is `syncedModels.editable` when the user may sync them, else
 * `syncedModels.readOnly`.
 */
export class SyncedModelsNode extends vscode.TreeItem {
  readonly kind = 'syncedModels';

  constructor(
    readonly provider: ApiProvider,
    readonly models: readonly ApiProviderModel[],
    editable: boolean,
  ) {
    super(vscode.l10n.t('Synced models'), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `syncedModels:${provider.id}`;
    this.description = models.length === 0 ? vscode.l10n.t('none yet') : String(models.length);
    this.tooltip =
      models.length === 0
        ? vscode.l10n.t('No models synced from {0} yet. Sync Models lists them.', provider.name)
        : vscode.l10n.t('{0} models listed by {1} at its last sync.', models.length, provider.name);
    this.iconPath = new vscode.ThemeIcon('library');
    this.contextValue = editable ? 'syncedModels.editable' : 'syncedModels.readOnly';
  }
}
