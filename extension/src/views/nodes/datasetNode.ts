import * as vscode from 'vscode';
import type { ApiDataset, ApiDatasetDetail } from '../../../../shared/src/api/datasets.js';
import { formatBytes, formatCount, schemaLabel } from '../../datasets/labels.js';
import { codeText, escapeMarkdown } from '../markdown.js';

/**
 * A dataset in the Datasets view. Its description sums up the schema, the record count and the
 * size; an error icon marks a dataset with invalid records. Clicking it opens the validation
 * report. The tooltip needs the warnings count from the report, so it stays undefined until the
 * view resolves it on hover, unless the report was loaded already.
 */
export class DatasetNode extends vscode.TreeItem {
  readonly kind = 'dataset';

  constructor(
    readonly dataset: ApiDataset,
    options: { ownedByOther: boolean; detail?: ApiDatasetDetail },
  ) {
    super(dataset.name, vscode.TreeItemCollapsibleState.None);
    this.id = `dataset:${dataset.id}`;
    const owner = options.ownedByOther ? [vscode.l10n.t('user {0}', dataset.ownerId)] : [];
    this.description = [
      schemaLabel(dataset.schema),
      recordSummary(dataset),
      formatBytes(dataset.sizeBytes),
      ...owner,
    ].join(' · ');
    if (options.detail !== undefined) {
      this.showDetail(options.detail);
    }
    this.iconPath =
      dataset.invalidCount > 0
        ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
        : new vscode.ThemeIcon('database');
    this.contextValue = 'dataset';
    this.command = {
      title: vscode.l10n.t('Open Validation Report'),
      command: 'llmWorkbench.datasets.openReport',
      arguments: [this],
    };
  }

  /** Sets the tooltip, with the warnings count when the report could be loaded. */
  showDetail(detail: ApiDatasetDetail | undefined): void {
    this.tooltip = datasetTooltip(this.dataset, detail);
  }
}

/** Returns "6 records, 2 invalid" or "6 records, all valid". */
export function recordSummary(dataset: ApiDataset): string {
  if (dataset.invalidCount === 0) {
    return vscode.l10n.t('{0} records, all valid', formatCount(dataset.recordCount));
  }
  return vscode.l10n.t(
    '{0} records, {1} invalid',
    formatCount(dataset.recordCount),
    formatCount(dataset.invalidCount),
  );
}

function datasetTooltip(
  dataset: ApiDataset,
  detail: ApiDatasetDetail | undefined,
): vscode.MarkdownString {
  const lines = [
    `**${escapeMarkdown(dataset.name)}** · ${dataset.fileType.toUpperCase()}`,
    '',
    vscode.l10n.t('Schema: {0}', schemaLabel(dataset.schema)),
    vscode.l10n.t(
      'Records: {0} ({1} valid, {2} invalid)',
      formatCount(dataset.recordCount),
      formatCount(dataset.validCount),
      formatCount(dataset.invalidCount),
    ),
    detail === undefined
      ? vscode.l10n.t('Warnings: unknown, because the report could not be loaded')
      : vscode.l10n.t('Warnings: {0}', formatCount(detail.report.warningCount)),
    vscode.l10n.t('Size: {0} ({1} bytes)', formatBytes(dataset.sizeBytes), dataset.sizeBytes),
    vscode.l10n.t('SHA-256: {0}', `\`${codeText(dataset.sha256)}\``),
    vscode.l10n.t('Uploaded file: {0}', escapeMarkdown(dataset.originalFileName)),
    vscode.l10n.t('Uploaded: {0}', new Date(dataset.createdAt).toLocaleString()),
  ];
  if (dataset.description !== null && dataset.description !== '') {
    lines.push('', escapeMarkdown(dataset.description));
  }
  return new vscode.MarkdownString(lines.join('  \n'));
}
