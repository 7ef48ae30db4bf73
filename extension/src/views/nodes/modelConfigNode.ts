import * as vscode from 'vscode';
import type { ApiModelConfig } from '../../../../shared/src/api/modelConfigs.js';
import { describePrice, describeReasoning } from '../../commands/modelConfigFields.js';
import { codeText, escapeMarkdown } from '../markdown.js';

/**
 * A model config under its provider. The context value is `modelConfig.enabled` or
 * `modelConfig.disabled` for configs the user may change, else `modelConfig.readOnly`.
 */
export class ModelConfigNode extends vscode.TreeItem {
  readonly kind = 'modelConfig';

  constructor(
    readonly config: ApiModelConfig,
    readonly editable: boolean,
  ) {
    super(config.displayName, vscode.TreeItemCollapsibleState.None);
    this.id = `modelConfig:${config.id}`;
    const notes = [
      ...(config.displayName === config.modelId ? [] : [config.modelId]),
      ...(config.enabled ? [] : [vscode.l10n.t('disabled')]),
      ...(config.modelMissing ? [vscode.l10n.t('model missing')] : []),
    ];
    this.description = notes.join(' · ');
    this.tooltip = modelConfigTooltip(config);
    this.iconPath = modelConfigIcon(config);
    this.contextValue = !editable
      ? 'modelConfig.readOnly'
      : config.enabled
        ? 'modelConfig.enabled'
        : 'modelConfig.disabled';
  }
}

function modelConfigIcon(config: ApiModelConfig): vscode.ThemeIcon {
  if (config.modelMissing) {
    return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  }
  return config.enabled
    ? new vscode.ThemeIcon('symbol-method')
    : new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
}

function modelConfigTooltip(config: ApiModelConfig): vscode.MarkdownString {
  const lines = [
    `**${escapeMarkdown(config.displayName)}** · ${config.enabled ? vscode.l10n.t('enabled') : vscode.l10n.t('disabled')}`,
    '',
    vscode.l10n.t(
      'Model: {0} on {1}',
      `\`${codeText(config.modelId)}\``,
      escapeMarkdown(config.providerName),
    ),
    vscode.l10n.t('Temperature: {0}', config.temperature),
    vscode.l10n.t('Max tokens: {0}', config.maxTokens),
    vscode.l10n.t('top_p: {0}', config.topP),
    config.topK === 0
      ? vscode.l10n.t('top_k: 0 (provider default)')
      : vscode.l10n.t('top_k: {0}', config.topK),
    vscode.l10n.t('Reasoning: {0}', describeReasoning(config.reasoning)),
    vscode.l10n.t('Input price: {0}', describePrice(config.priceInputPerMTok)),
    vscode.l10n.t('Output price: {0}', describePrice(config.priceOutputPerMTok)),
  ];
  if (config.modelMissing) {
    lines.push(
      '',
      `$(warning) ${vscode.l10n.t(
        'The provider no longer lists {0}. Sync its models again, or delete this config.',
        `\`${codeText(config.modelId)}\``,
      )}`,
    );
  }
  const markdown = new vscode.MarkdownString(lines.join('  \n'));
  markdown.supportThemeIcons = true;
  return markdown;
}
