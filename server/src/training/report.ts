import type {
  ApiTrainingMetric,
  ApiTrainingTask,
  TrainingParameters,
  TrainingReport,
} from '../../../shared/src/api/training.js';
import { TrainingMetric, type TrainingTask } from '../models/index.js';
import { presentMetric, presentTrainingTask } from './presenters.js';

type Point = [step: number, value: number];

/**
 * Builds a task's report from its stored metrics and renders it: `md` and `html` as text with
 * their media type, `json` as `{report}`.
 */
export async function renderTaskReport(
  task: TrainingTask,
  format: 'md' | 'html' | 'json',
): Promise<{ type?: string; body: string | { report: TrainingReport } }> {
  const metrics = await TrainingMetric.findAll({
    where: { taskId: task.id },
    order: [['step', 'ASC']],
  });
  const snapshot = task.datasetSnapshot;
  const report = buildReport(presentTrainingTask(task), metrics.map(presentMetric), {
    id: task.datasetId,
    name: snapshot?.name ?? `dataset ${task.datasetId}`,
    recordCount: snapshot?.recordCount ?? null,
    sizeBytes: snapshot?.sizeBytes ?? null,
  });
  if (format === 'json') {
    return { body: { report } };
  }
  if (format === 'html') {
    return { type: 'text/html; charset=utf-8', body: renderHtml(report) };
  }
  return { type: 'text/markdown; charset=utf-8', body: renderMarkdown(report) };
}

/** Builds the report data of a task from its stored metrics. */
export function buildReport(
  task: ApiTrainingTask,
  metrics: readonly ApiTrainingMetric[],
  dataset: TrainingReport['dataset'],
): TrainingReport {
  const loss = points(metrics, 'loss');
  const evalLoss = points(metrics, 'evalLoss');
  const lr = points(metrics, 'lr');
  const throughputs = metrics.flatMap((metric) =>
    metric.throughput === null ? [] : [metric.throughput],
  );
  const started = task.startedAt === null ? null : Date.parse(task.startedAt);
  const finished = task.finishedAt === null ? null : Date.parse(task.finishedAt);
  return {
    task,
    dataset,
    durationMs: started !== null && finished !== null ? finished - started : null,
    steps: metrics.length === 0 ? null : Math.max(...metrics.map((metric) => metric.step)),
    totalSteps: task.progress.totalSteps,
    firstLoss: loss[0]?.[1] ?? null,
    lastLoss: loss.at(-1)?.[1] ?? null,
    bestLoss: lowest(loss),
    lastEvalLoss: evalLoss.at(-1)?.[1] ?? null,
    bestEvalLoss: lowest(evalLoss),
    meanThroughput:
      throughputs.length === 0
        ? null
        : throughputs.reduce((sum, value) => sum + value, 0) / throughputs.length,
    curves: { loss, evalLoss, lr },
  };
}

function points(metrics: readonly ApiTrainingMetric[], key: 'loss' | 'evalLoss' | 'lr'): Point[] {
  return metrics.flatMap((metric) => {
    const value = metric[key];
    return value === null ? [] : [[metric.step, value] as Point];
  });
}

function lowest(curve: readonly Point[]): { value: number; step: number } | null {
  let best: { value: number; step: number } | null = null;
  for (const [step, value] of curve) {
    if (best === null || value < best.value) {
      best = { value, step };
    }
  }
  return best;
}

/** One row of the summary table: a label and its value as plain text, or a link. */
interface SummaryRow {
  label: string;
  text: string;
  href?: string;
}

function summaryRows(report: TrainingReport): SummaryRow[] {
  const { task } = report;
  const rows: SummaryRow[] = [
    {
      label: 'Status',
      text: task.exitCode === null ? task.status : `${task.status} (exit code ${task.exitCode})`,
    },
    { label: 'Base model', text: task.baseModel },
    { label: 'Dataset', text: describeDataset(report.dataset) },
    { label: 'Started', text: task.startedAt ?? 'not started' },
    { label: 'Finished', text: task.finishedAt ?? 'not finished' },
    { label: 'Duration', text: formatDuration(report.durationMs) },
    {
      label: 'Steps',
      text: `${report.steps ?? 0} of ${report.totalSteps ?? 'unknown'}`,
    },
    { label: 'First loss', text: formatNumber(report.firstLoss) },
    { label: 'Last loss', text: formatNumber(report.lastLoss) },
    { label: 'Best loss', text: formatBest(report.bestLoss) },
    { label: 'Last eval loss', text: formatNumber(report.lastEvalLoss) },
    { label: 'Best eval loss', text: formatBest(report.bestEvalLoss) },
    {
      label: 'Mean throughput',
      text:
        report.meanThroughput === null
          ? 'not reported'
          : `${report.meanThroughput.toFixed(1)} tokens/s`,
    },
    { label: 'Adapter', text: task.adapterPath ?? 'not saved' },
  ];
  if (task.parameters.swanlab) {
    rows.push(
      task.swanlabUrl === null
        ? { label: 'SwanLab', text: 'no run link in the log' }
        : { label: 'SwanLab', text: task.swanlabUrl, href: task.swanlabUrl },
    );
  }
  return rows;
}

function describeDataset(dataset: TrainingReport['dataset']): string {
  const parts = [`${dataset.name} (id ${dataset.id})`];
  if (dataset.recordCount !== null) {
    parts.push(`${dataset.recordCount} records`);
  }
  if (dataset.sizeBytes !== null) {
    parts.push(`${(dataset.sizeBytes / 1024).toFixed(1)} KiB`);
  }
  return parts.join(', ');
}

function formatNumber(value: number | null): string {
  return value === null ? 'none' : String(Number(value.toPrecision(6)));
}

function formatBest(best: { value: number; step: number } | null): string {
  return best === null ? 'none' : `${formatNumber(best.value)} at step ${best.step}`;
}

function formatDuration(ms: number | null): string {
  if (ms === null) {
    return 'unknown';
  }
  const seconds = Math.round(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  return `${hours}h ${String(minutes).padStart(2, '0')}m ${String(seconds % 60).padStart(2, '0')}s`;
}

function parameterRows(parameters: TrainingParameters): [string, string][] {
  return Object.entries(parameters).map(([key, value]) => [
    key,
    Array.isArray(value) ? value.join(', ') : String(value),
  ]);
}

/** Escapes text for a Markdown table cell or heading: no markup, no line breaks, no pipes. */
function markdownText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/([\\`*_[\]|<>~])/g, '\\$1');
}

/** Wraps text in a code fence longer than any run of backquotes inside it. */
function fenced(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Renders the report as Markdown; the curves are a JSON block of [step, value] pairs. */
export function renderMarkdown(report: TrainingReport): string {
  const lines = [`# Training report: ${markdownText(report.task.name)}`, ''];
  lines.push('| | |', '|---|---|');
  for (const row of summaryRows(report)) {
    const value = row.href === undefined ? markdownText(row.text) : `<${row.href}>`;
    lines.push(`| ${row.label} | ${value} |`);
  }
  lines.push('', '## Parameters', '', '| Parameter | Value |', '|---|---|');
  for (const [key, value] of parameterRows(report.task.parameters)) {
    lines.push(`| ${key} | ${markdownText(value)} |`);
  }
  if (report.task.errorTail !== null) {
    lines.push('', '## Error', '', fenced(report.task.errorTail, 'text'));
  }
  lines.push('', '## Curves', '', fenced(JSON.stringify(report.curves), 'json'), '');
  return lines.join('\n');
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Renders the report as a standalone HTML page with SVG charts of loss and learning rate. */
export function renderHtml(report: TrainingReport): string {
  const title = `Training report: ${escapeHtml(report.task.name)}`;
  const summary = summaryRows(report)
    .map((row) => {
      const value =
        row.href !== undefined && /^https?:\/\//.test(row.href)
          ? `<a href="${escapeHtml(row.href)}" rel="noreferrer">${escapeHtml(row.text)}</a>`
          : escapeHtml(row.text);
      return `<tr><th>${escapeHtml(row.label)}</th><td>${value}</td></tr>`;
    })
    .join('\n');
  const parameters = parameterRows(report.task.parameters)
    .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${escapeHtml(value)}</td></tr>`)
    .join('\n');
  const error =
    report.task.errorTail === null
      ? ''
      : `<h2>Error</h2>\n<pre>${escapeHtml(report.task.errorTail)}</pre>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; }
pre { background: #f4f4f4; padding: 0.75rem; overflow-x: auto; }
svg { border: 1px solid #ccc; }
</style>
</head>
<body>
<h1>${title}</h1>
<table>
${summary}
</table>
<h2>Loss</h2>
${chart(report.curves.loss, report.curves.evalLoss, 'loss (blue), eval loss (orange)')}
<h2>Learning rate</h2>
${chart(report.curves.lr, [], 'learning rate')}
<h2>Parameters</h2>
<table>
${parameters}
</table>
${error}
<script type="application/json" id="curves">${JSON.stringify(report.curves).replaceAll('<', '\\u003c')}</script>
</body>
</html>
`;
}

const CHART = { width: 640, height: 240, margin: 32 };

/** Draws one or two curves in an SVG box scaled to their steps and values. */
function chart(primary: readonly Point[], secondary: readonly Point[], label: string): string {
  const all = [...primary, ...secondary];
  if (all.length === 0) {
    return '<p>No data.</p>';
  }
  const steps = all.map(([step]) => step);
  const values = all.map(([, value]) => value);
  const [minStep, maxStep] = [Math.min(...steps), Math.max(...steps)];
  const [minValue, maxValue] = [Math.min(...values), Math.max(...values)];
  const { width, height, margin } = CHART;
  const x = (step: number) =>
    margin + ((step - minStep) / (maxStep - minStep || 1)) * (width - 2 * margin);
  const y = (value: number) =>
    height - margin - ((value - minValue) / (maxValue - minValue || 1)) * (height - 2 * margin);
  const line = (curve: readonly Point[], color: string) =>
    curve.length === 0
      ? ''
      : `<polyline fill="none" stroke="${color}" stroke-width="2" points="${curve
          .map(([step, value]) => `${x(step).toFixed(1)},${y(value).toFixed(1)}`)
          .join(' ')}"/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(label)}">
${line(primary, '#1f77b4')}
${line(secondary, '#ff7f0e')}
<text x="${margin}" y="${margin - 10}" font-size="12">${formatNumber(maxValue)}</text>
<text x="${margin}" y="${height - 8}" font-size="12">${formatNumber(minValue)} (steps ${minStep}-${maxStep})</text>
</svg>`;
}
