import * as vscode from 'vscode';

/** A provider as the server lists it. */
export interface ProviderSummary {
  id: number;
  name: string;
  kind: string;
  baseUrl: string;
  status?: string;
}

/** A provider in the Providers view; it expands to its models. */
export class ProviderNode extends vscode.TreeItem {
  readonly kind = 'provider';

  constructor(readonly provider: ProviderSummary) {
    super(provider.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `provider:${provider.id}`;
    this.description = provider.kind;
    this.tooltip = `${provider.name} (${provider.kind}) at ${provider.baseUrl}`;
    this.iconPath = new vscode.ThemeIcon('server');
    this.contextValue = 'provider';
  }
}
