import * as vscode from 'vscode';
import type { ApiProvider, ProviderKind } from '../../../../shared/src/api/providers.js';
import { baseUrlHost, kindInfo } from '../../commands/providerFields.js';
import { codeText, escapeMarkdown } from '../markdown.js';

/** The codicon of each provider kind. */
const KIND_ICONS: Record<ProviderKind, string> = {
  openai: 'sparkle',
  anthropic: 'hubot',
  ollama: 'vm',
  'openai-compatible': 'plug',
};

/** Returns the provider's state in a word or two, for the description and tooltip. */
function statusText(provider: ApiProvider): string {
  if (!provider.enabled) {
    return vscode.l10n.t('disabled');
  }
  switch (provider.status) {
    case 'ok':
      return vscode.l10n.t('connected');
    case 'error':
      return vscode.l10n.t('error');
    default:
      return vscode.l10n.t('not checked');
  }
}

/**
 * A provider in the Providers view; it expands to its model configs and its synced models. The
 * context value is `provider.editable` for the user's own providers (and every provider for an
 * admin), else `provider.readOnly`.
 */
export class ProviderNode extends vscode.TreeItem {
  readonly kind = 'provider';

  constructor(
    readonly provider: ApiProvider,
    readonly editable: boolean,
  ) {
    super(provider.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `provider:${provider.id}`;
    this.description = `${baseUrlHost(provider.baseUrl)} · ${statusText(provider)}`;
    this.tooltip = providerTooltip(provider);
    this.iconPath = new vscode.ThemeIcon(
      KIND_ICONS[provider.kind],
      provider.status === 'error' ? new vscode.ThemeColor('list.errorForeground') : undefined,
    );
    this.contextValue = editable ? 'provider.editable' : 'provider.readOnly';
  }
}

function providerTooltip(provider: ApiProvider): vscode.MarkdownString {
  const apiKey =
    provider.apiKeyMasked === null
      ? vscode.l10n.t('none')
      : `\`${codeText(provider.apiKeyMasked)}\``;
  const lastChecked =
    provider.lastCheckedAt === null
      ? vscode.l10n.t('never')
      : new Date(provider.lastCheckedAt).toLocaleString();
  const lines = [
    `**${escapeMarkdown(provider.name)}** · ${kindInfo(provider.kind).label}`,
    '',
    vscode.l10n.t('Base URL: {0}', `\`${codeText(provider.baseUrl)}\``),
    vscode.l10n.t('API key: {0}', apiKey),
    vscode.l10n.t('Status: {0}', statusText(provider)),
  ];
  if (provider.lastError !== null) {
    lines.push(vscode.l10n.t('Last error: {0}', escapeMarkdown(provider.lastError)));
  }
  lines.push(vscode.l10n.t('Last checked: {0}', lastChecked));
  if (provider.headerNames.length > 0) {
    lines.push(
      vscode.l10n.t('Custom headers: {0}', provider.headerNames.map(escapeMarkdown).join(', ')),
    );
  }
  if (provider.shared) {
    lines.push(vscode.l10n.t('Shared with all users'));
  }
  return new vscode.MarkdownString(lines.join('  \n'));
}
