import * as vscode from 'vscode';

/** Registers the Refresh command of each view (`llmWorkbench.<view>.refresh`). */
export function registerViewCommands(
  views: Record<string, { refresh(): void }>,
): vscode.Disposable[] {
  return Object.entries(views).map(([name, view]) =>
    vscode.commands.registerCommand(`llmWorkbench.${name}.refresh`, () => view.refresh()),
  );
}
