import * as vscode from 'vscode';

/** Activates the extension: creates the log channel that every part of the extension writes to. */
export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('LLM Workbench', { log: true });
  context.subscriptions.push(log);
  log.info(
    `LLM Workbench ${(context.extension.packageJSON as { version: string }).version} activated`,
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
