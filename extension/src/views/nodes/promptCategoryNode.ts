import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../../shared/src/api/prompts.js';

/** A category in the Prompts view, expanding to its prompts; `category` is null for the rest. */
export class PromptCategoryNode extends vscode.TreeItem {
  readonly kind = 'promptCategory';

  constructor(
    readonly category: string | null,
    readonly prompts: readonly ApiPrompt[],
  ) {
    super(category ?? vscode.l10n.t('Uncategorized'), vscode.TreeItemCollapsibleState.Expanded);
    this.id = `promptCategory:${category ?? ''}`;
    this.description = String(prompts.length);
    this.iconPath = new vscode.ThemeIcon('folder-library');
    this.contextValue = 'promptCategory';
  }
}
