import * as vscode from 'vscode';

/** A model synced from a provider. */
export interface ModelSummary {
  id: number;
  modelId: string;
  displayName: string;
  type: string;
  contextLength?: number | null;
}

const TYPE_ICONS: Record<string, string> = {
  chat: 'comment-discussion',
  embedding: 'symbol-array',
  vision: 'eye',
  reasoning: 'lightbulb',
};

/** A model under its provider in the Providers view. */
export class ModelNode extends vscode.TreeItem {
  readonly kind = 'model';

  constructor(
    readonly providerId: number,
    readonly model: ModelSummary,
  ) {
    super(model.displayName, vscode.TreeItemCollapsibleState.None);
    this.id = `model:${providerId}:${model.id}`;
    const showTypes = vscode.workspace
      .getConfiguration('llmWorkbench')
      .get<boolean>('views.showModelTypes', true);
    this.description = showTypes ? model.type : undefined;
    this.tooltip = model.contextLength
      ? `${model.modelId}, context ${model.contextLength} tokens`
      : model.modelId;
    this.iconPath = new vscode.ThemeIcon(TYPE_ICONS[model.type] ?? 'symbol-misc');
    this.contextValue = 'model';
  }
}
