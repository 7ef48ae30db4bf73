import * as vscode from 'vscode';
import type { ApiProvider, ApiProviderModel } from '../../../../shared/src/api/providers.js';

const TYPE_ICONS: Record<ApiProviderModel['type'], string> = {
  chat: 'comment-discussion',
  embedding: 'symbol-array',
  vision: 'eye',
  reasoning: 'lightbulb',
};

/** A model synced from a provider, in the provider's "Synced models" group. */
export class ModelNode extends vscode.TreeItem {
  readonly kind = 'model';

  constructor(
    readonly provider: ApiProvider,
    readonly model: ApiProviderModel,
  ) {
    super(model.displayName, vscode.TreeItemCollapsibleState.None);
    this.id = `model:${provider.id}:${model.id}`;
    const showTypes = vscode.workspace
      .getConfiguration('llmWorkbench')
      .get<boolean>('views.showModelTypes', true);
    this.description = showTypes ? model.type : undefined;
    const details = [
      model.modelId,
      vscode.l10n.t('Type: {0}', model.type),
      ...(model.contextLength === null
        ? []
        : [vscode.l10n.t('Context length: {0} tokens', model.contextLength)]),
      ...(model.capabilities.length === 0
        ? []
        : [vscode.l10n.t('Capabilities: {0}', model.capabilities.join(', '))]),
    ];
    this.tooltip = details.join('\n');
    this.iconPath = new vscode.ThemeIcon(TYPE_ICONS[model.type] ?? 'symbol-misc');
    this.contextValue = 'syncedModel';
  }
}
