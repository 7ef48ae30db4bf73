import * as vscode from 'vscode';
import { ComparePanel, type CompareDependencies } from '../panels/comparePanel.js';

/**
 * Registers Compare Models, Show Comparison History and the serializer that restores the compare
 * panel after a reload. The commands return the panel, which the in-host tests drive.
 */
export function registerCompareCommands(deps: CompareDependencies): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('llmWorkbench.compare.open', () => ComparePanel.show(deps)),
    vscode.commands.registerCommand('llmWorkbench.compare.showHistory', async () => {
      const panel = ComparePanel.show(deps);
      try {
        await panel.showHistory();
      } catch (error) {
        deps.log.showError(vscode.l10n.t('Loading the comparison history failed.'), error);
      }
      return panel;
    }),
    ComparePanel.registerSerializer(deps),
  ];
}
