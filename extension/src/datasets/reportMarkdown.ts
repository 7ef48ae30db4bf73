import * as vscode from 'vscode';
import type { ApiDataset, ApiDatasetReport } from '../../../shared/src/api/datasets.js';
import type { DatasetIssue, LengthStats } from '../../../shared/src/datasets/types.js';
import { codeText } from '../views/markdown.js';
import { formatBytes, formatCount, schemaLabel } from './labels.js';
import type { DatasetSource } from './sourceFiles.js';

/** The subject of a report document: a stored dataset, or a file the server did not store. */
export interface ReportSubject {
  /** The dataset as stored; undefined for a rejected upload. */
  dataset?: ApiDataset;
  /** The file name as uploaded. */
  fileName: string;
  report: ApiDatasetReport;
  /** The server's reason for not storing the file. */
  rejection?: string;
  /** The local file the upload came from, whose lines the issues link to. */
  source?: DatasetSource;
}

/** Renders a validation report as Markdown. Issue lines link to the local file when known. */
export function renderReport(subject: ReportSubject): string {
  const title = subject.dataset?.name ?? subject.fileName;
  const parts = [
    `# ${vscode.l10n.t('Validation report: {0}', escapeInline(title))}`,
    ...(subject.rejection === undefined
      ? []
      : [`> ${vscode.l10n.t('Not stored: {0}', escapeInline(subject.rejection))}`]),
    summaryTable(subject),
    issueSection(
      vscode.l10n.t('Errors'),
      subject.report.errors,
      subject.report.errorCount,
      subject,
    ),
    issueSection(
      vscode.l10n.t('Warnings'),
      subject.report.warnings,
      subject.report.warningCount,
      subject,
    ),
    statsSection(subject.report),
    previewSection(subject.report.preview),
  ];
  return `${parts.filter((part) => part !== '').join('\n\n')}\n`;
}

function summaryTable(subject: ReportSubject): string {
  const { dataset, report, source } = subject;
  const rows: [string, string][] = [[vscode.l10n.t('File'), `\`${codeText(subject.fileName)}\``]];
  if (dataset !== undefined) {
    rows.push(
      [vscode.l10n.t('Type'), dataset.fileType.toUpperCase()],
      [vscode.l10n.t('Schema'), schemaText(dataset, report)],
      [
        vscode.l10n.t('Records'),
        vscode.l10n.t(
          '{0}: {1} valid, {2} invalid',
          formatCount(dataset.recordCount),
          formatCount(dataset.validCount),
          formatCount(dataset.invalidCount),
        ),
      ],
      [vscode.l10n.t('Size'), `${formatBytes(dataset.sizeBytes)} (${dataset.sizeBytes} bytes)`],
      ['SHA-256', `\`${dataset.sha256}\``],
      [vscode.l10n.t('Uploaded'), new Date(dataset.createdAt).toLocaleString()],
    );
  }
  if (report.textMode !== undefined) {
    const mode =
      report.textMode === 'line'
        ? vscode.l10n.t('one per line')
        : vscode.l10n.t('one per paragraph');
    rows.push([vscode.l10n.t('Documents'), mode]);
  }
  if (report.bomRemoved) {
    rows.push([vscode.l10n.t('Byte-order mark'), vscode.l10n.t('removed')]);
  }
  rows.push([vscode.l10n.t('Local file'), localFileText(source)]);
  const body = rows.map(([name, value]) => `| ${name} | ${value} |`).join('\n');
  return `| | |\n| --- | --- |\n${body}`;
}

function schemaText(dataset: ApiDataset, report: ApiDatasetReport): string {
  const columns = Object.entries(report.columns)
    .map(([role, key]) => `${role} → \`${codeText(key)}\``)
    .join(', ');
  const format =
    report.preferenceFormat === undefined ? '' : ` (${schemaLabel(report.preferenceFormat)})`;
  return columns === ''
    ? `${schemaLabel(dataset.schema)}${format}`
    : `${schemaLabel(dataset.schema)}${format}; ${columns}`;
}

function localFileText(source: DatasetSource | undefined): string {
  if (source === undefined) {
    return vscode.l10n.t(
      'not known in this window, so the line numbers below refer to the uploaded file',
    );
  }
  const label = escapeInline(
    source.uri.scheme === 'file' ? source.uri.fsPath : source.uri.toString(),
  );
  return vscode.l10n.t(
    '[{0}]({1}), as uploaded on {2}; lines link to it',
    label,
    linkTarget(source.uri),
    source.uploadedAt.toLocaleString(),
  );
}

function issueSection(
  heading: string,
  issues: readonly (DatasetIssue & { code?: string })[],
  total: number,
  subject: ReportSubject,
): string {
  if (total === 0) {
    return `## ${heading}\n\n${vscode.l10n.t('None.')}`;
  }
  const items = issues.map((issue) => `- ${issueText(issue, subject.source)}`);
  if (total > issues.length) {
    items.push(
      '',
      vscode.l10n.t('The first {0} of {1} are listed.', issues.length, formatCount(total)),
    );
  }
  return `## ${heading} (${formatCount(total)})\n\n${items.join('\n')}`;
}

function issueText(issue: DatasetIssue & { code?: string }, source?: DatasetSource): string {
  const place =
    issue.column === undefined
      ? vscode.l10n.t('Line {0}', issue.line)
      : vscode.l10n.t('Line {0}, column {1}', issue.line, issue.column);
  const anchor = issue.column === undefined ? `L${issue.line}` : `L${issue.line},${issue.column}`;
  const located = source === undefined ? place : `[${place}](${linkTarget(source.uri, anchor)})`;
  const record =
    issue.record === null ? vscode.l10n.t('whole file') : vscode.l10n.t('record {0}', issue.record);
  const code = issue.code === undefined ? '' : ` \`${issue.code}\``;
  return `${located} (${record})${code}: ${escapeInline(issue.message)}`;
}

/**
 * Returns a file URI for a Markdown link, with parentheses escaped so the link ends where it
 * should, and an `#L<line>,<column>` anchor that opens the file at that place.
 */
export function linkTarget(uri: vscode.Uri, anchor?: string): string {
  // Uri.toString would encode the comma of the anchor, which Markdown previews do not decode.
  const target = uri.with({ fragment: '' }).toString().replace(/\(/g, '%28').replace(/\)/g, '%29');
  return anchor === undefined ? target : `${target}#${anchor}`;
}

function statsSection(report: ApiDatasetReport): string {
  const rows: [string, LengthStats][] = [
    [vscode.l10n.t('characters per record'), report.stats.recordChars],
    ...Object.entries(report.stats.fields).map(([field, stats]): [string, LengthStats] => [
      `\`${codeText(field)}\``,
      stats,
    ]),
  ];
  if (report.stats.turns !== undefined) {
    rows.push([vscode.l10n.t('messages per conversation'), report.stats.turns]);
  }
  const header = `| ${vscode.l10n.t('Length')} | count | min | mean | p95 | max |\n| --- | ---: | ---: | ---: | ---: | ---: |`;
  const body = rows
    .map(
      ([name, stats]) =>
        `| ${name} | ${formatCount(stats.count)} | ${formatCount(stats.min)} | ` +
        `${formatCount(Math.round(stats.mean))} | ${formatCount(stats.p95)} | ` +
        `${formatCount(stats.max)} |`,
    )
    .join('\n');
  const roles =
    report.roles === undefined
      ? ''
      : `\n\n${vscode.l10n.t('Roles')}: ${Object.entries(report.roles)
          .map(([role, count]) => `\`${codeText(role)}\` ${formatCount(count)}`)
          .join(', ')}`;
  return `## ${vscode.l10n.t('Statistics')}\n\n${header}\n${body}${roles}`;
}

function previewSection(preview: readonly unknown[]): string {
  if (preview.length === 0) {
    return '';
  }
  const json = JSON.stringify(preview, null, 2);
  // A fence longer than any run of backticks in the records, so none of them can end it.
  const longestRun = Math.max(0, ...(json.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return (
    `## ${vscode.l10n.t('Preview: the first {0} records', preview.length)}\n\n` +
    `${fence}json\n${json}\n${fence}`
  );
}

/**
 * Escapes text from the server for the report: only the characters that would start emphasis,
 * code, a link, HTML or a table cell, so the document also reads well as plain text.
 */
function escapeInline(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, '\\$&');
}
