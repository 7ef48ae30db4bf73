import * as vscode from 'vscode';

/** A single line in a view that explains a state, such as a failed load, with an optional action. */
export class MessageNode extends vscode.TreeItem {
  readonly kind = 'message';

  constructor(label: string, icon: string, command?: vscode.Command) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.iconPath = new vscode.ThemeIcon(icon);
    this.contextValue = 'message';
    if (command !== undefined) {
      this.command = command;
    }
  }
}
