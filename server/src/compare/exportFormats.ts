import type { ApiComparisonResult, ComparisonExport } from '../../../shared/src/api/compare.js';
import { closeOpenFence } from '../chat/exportFormats.js';

/** A row of the metrics table: its label and how each result's cell reads. */
type MetricRow = [label: string, cell: (result: ApiComparisonResult) => string];

const NONE = '–';

const METRIC_ROWS: MetricRow[] = [
  ['Model', (result) => `${result.modelId} (${result.providerName})`],
  ['Status', (result) => result.status],
  ['Finish reason', (result) => orNone(result.finishReason)],
  ['Provider finish reason', (result) => orNone(result.providerFinishReason)],
  ['Time to first token', (result) => milliseconds(result.ttftMs)],
  ['Time to first answer token', (result) => milliseconds(result.ttfaMs)],
  ['Answer time', (result) => milliseconds(result.answerMs)],
  ['Total latency', (result) => milliseconds(result.latencyMs)],
  ['Prompt tokens', (result) => orNone(result.usage?.promptTokens)],
  ['Completion tokens', (result) => orNone(result.usage?.completionTokens)],
  ['Reasoning tokens', (result) => orNone(result.usage?.reasoningTokens)],
  ['Answer tokens', (result) => orNone(result.answerTokens)],
  [
    'Tokens per second',
    (result) => (result.tokensPerSecond === null ? NONE : result.tokensPerSecond.toFixed(1)),
  ],
  ['Cost', (result) => (result.cost === null ? NONE : `$${result.cost.toFixed(6)}`)],
  ['Rating', (result) => (result.rating === null ? NONE : `${result.rating}/5`)],
  [
    'Error',
    (result) => (result.error === null ? NONE : `${result.error.code}: ${result.error.message}`),
  ],
];

/**
 * Renders a comparison as Markdown: the prompt, a table of metrics with one column per slot, then
 * each slot's system prompt, reasoning in a collapsed `<details>` block and answer. Answer text is
 * kept as written, with a code fence that a stopped answer left open closed at its end.
 */
export function renderComparisonMarkdown(data: ComparisonExport): string {
  const { comparison } = data;
  const best = comparison.results.find((result) => result.id === comparison.bestResultId);
  const facts = [
    `- Created: ${comparison.createdAt}`,
    `- Exported: ${data.exportedAt}`,
    `- Best answer: ${best === undefined ? 'not picked' : slotTitle(best)}`,
  ];
  const parts = [
    `# Comparison ${comparison.id}`,
    facts.join('\n'),
    '## Prompt',
    fenced(comparison.prompt),
  ];
  if (comparison.promptTemplate !== null) {
    parts.push('### Template', fenced(comparison.promptTemplate));
  }
  if (comparison.variables !== null && Object.keys(comparison.variables).length > 0) {
    const rows = Object.entries(comparison.variables).map(
      ([name, value]) => `| ${tableCell(name)} | ${tableCell(value)} |`,
    );
    parts.push('### Variables', ['| Name | Value |', '| --- | --- |', ...rows].join('\n'));
  }
  parts.push('## Metrics', metricsTable(comparison.results));
  for (const result of comparison.results) {
    parts.push(...resultSection(result, result.id === comparison.bestResultId));
  }
  return `${parts.join('\n\n')}\n`;
}

function metricsTable(results: readonly ApiComparisonResult[]): string {
  const header = `| Metric | ${results.map((result) => tableCell(slotTitle(result))).join(' | ')} |`;
  const divider = `| --- | ${results.map(() => '---').join(' | ')} |`;
  const rows = METRIC_ROWS.map(
    ([label, cell]) =>
      `| ${label} | ${results.map((result) => tableCell(cell(result))).join(' | ')} |`,
  );
  return [header, divider, ...rows].join('\n');
}

function resultSection(result: ApiComparisonResult, best: boolean): string[] {
  const parts = [`## ${slotTitle(result)}${best ? ' · best answer' : ''}`];
  if (result.systemPrompt !== null) {
    parts.push('System prompt:', fenced(result.systemPrompt));
  }
  if (result.reasoning !== null) {
    const reasoning = closeOpenFence(result.reasoning).replace(/<\/details>/gi, '&lt;/details>');
    parts.push(`<details>\n<summary>Reasoning</summary>\n\n${reasoning}\n\n</details>`);
  }
  if (result.content !== '') {
    parts.push(closeOpenFence(result.content));
  }
  const note = statusNote(result);
  if (note !== null) {
    parts.push(`> _${note}_`);
  }
  return parts;
}

function slotTitle(result: ApiComparisonResult): string {
  return `Slot ${result.slot + 1}: ${result.modelConfigName}`;
}

function statusNote(result: ApiComparisonResult): string | null {
  switch (result.status) {
    case 'complete':
      return result.finishReason === 'length' ? 'Cut off at the max tokens limit.' : null;
    case 'stopped':
      return 'Stopped before the answer was complete.';
    case 'streaming':
      return 'Still being answered when exported.';
    case 'error':
      return `Error: ${result.error?.message ?? 'the answer failed.'}`;
  }
}

function orNone(value: string | number | null | undefined): string {
  return value === null || value === undefined ? NONE : String(value);
}

function milliseconds(value: number | null): string {
  return value === null ? NONE : `${value} ms`;
}

/** Escapes a table cell: a pipe would end the cell and a line break the row. */
function tableCell(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r\n|\r|\n/g, '<br>');
}

/** Puts text in a fence longer than any backtick run inside it, at least three. */
function fenced(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}text\n${text}\n${fence}`;
}
