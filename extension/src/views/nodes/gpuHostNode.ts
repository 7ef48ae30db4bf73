import * as vscode from 'vscode';
import type { ApiGpuHost } from '../../../../shared/src/api/training.js';
import { codeText, escapeMarkdown } from '../markdown.js';

/** The "GPU Hosts" group that admins see below the tasks. */
export class GpuHostsGroupNode extends vscode.TreeItem {
  readonly kind = 'gpuHosts';

  constructor(readonly hosts: readonly ApiGpuHost[]) {
    super(vscode.l10n.t('GPU Hosts'), vscode.TreeItemCollapsibleState.Collapsed);
    this.id = 'gpuHosts';
    this.description = String(hosts.length);
    this.iconPath = new vscode.ThemeIcon('server-environment');
    this.contextValue = 'gpuHosts';
  }
}

/**
 * A GPU host under "GPU Hosts". The context value is `gpuHost.confirmed`, or
 * `gpuHost.unconfirmed` until an admin confirmed its host key.
 */
export class GpuHostNode extends vscode.TreeItem {
  readonly kind = 'gpuHost';

  constructor(readonly host: ApiGpuHost) {
    super(host.name, vscode.TreeItemCollapsibleState.None);
    const confirmed = host.hostKeyFingerprint !== null;
    this.id = `gpuHost:${host.id}`;
    this.description = confirmed
      ? vscode.l10n.t(
          '{0}@{1} · {2}/{3} runs',
          host.user,
          host.host,
          host.activeRuns,
          host.maxConcurrentRuns,
        )
      : vscode.l10n.t('{0}@{1} · host key not confirmed', host.user, host.host);
    this.iconPath = new vscode.ThemeIcon(
      confirmed ? 'vm' : 'warning',
      confirmed ? undefined : new vscode.ThemeColor('list.warningForeground'),
    );
    this.contextValue = confirmed ? 'gpuHost.confirmed' : 'gpuHost.unconfirmed';
    this.tooltip = hostTooltip(host);
  }
}

function hostTooltip(host: ApiGpuHost): vscode.MarkdownString {
  const lines = [
    `**${escapeMarkdown(host.name)}**`,
    '',
    vscode.l10n.t('Address: {0}', `\`${codeText(`${host.user}@${host.host}:${host.port}`)}\``),
    vscode.l10n.t('Work directory: {0}', `\`${codeText(host.workDir)}\``),
    vscode.l10n.t('Client key: {0}', `\`${codeText(host.keyFingerprintMasked)}\``),
    vscode.l10n.t(
      'Host key: {0}',
      host.hostKeyFingerprint === null
        ? vscode.l10n.t('not confirmed')
        : `\`${codeText(host.hostKeyFingerprint)}\``,
    ),
    vscode.l10n.t('Runs: {0} of {1}', host.activeRuns, host.maxConcurrentRuns),
  ];
  return new vscode.MarkdownString(lines.join('  \n'));
}
