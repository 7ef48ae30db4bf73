import type { ApiComparisonResult } from '../../../shared/src/api/compare.js';

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** Formats milliseconds: whole milliseconds under 10 s, such as `840 ms`, else `12.3 s`. */
export function formatDuration(ms: number): string {
  return ms < 10_000 ? `${integer.format(ms)} ms` : `${oneDecimal.format(ms / 1000)} s`;
}

/** Formats dollars with six decimals under one cent, such as `$0.000824`, else four. */
export function formatCost(dollars: number): string {
  return `$${dollars.toFixed(dollars < 0.01 ? 6 : 4)}`;
}

export function formatSpeed(tokensPerSecond: number): string {
  return `${oneDecimal.format(tokensPerSecond)} tok/s`;
}

/** Which value of a metric is best, or null for a metric that only informs. */
type Better = 'lower' | 'higher' | null;

interface MetricDefinition {
  label: string;
  value(result: ApiComparisonResult): number | null;
  format(value: number): string;
  better: Better;
}

const METRICS: MetricDefinition[] = [
  {
    label: 'Time to first token',
    value: (result) => result.ttftMs,
    format: formatDuration,
    better: 'lower',
  },
  {
    label: 'Time to first answer token',
    value: (result) => result.ttfaMs,
    format: formatDuration,
    better: 'lower',
  },
  {
    label: 'Total latency',
    value: (result) => result.latencyMs,
    format: formatDuration,
    better: 'lower',
  },
  {
    label: 'Tokens per second',
    value: (result) => result.tokensPerSecond,
    format: formatSpeed,
    better: 'higher',
  },
  {
    label: 'Answer tokens',
    value: (result) => result.answerTokens,
    format: (value) => integer.format(value),
    better: null,
  },
  {
    label: 'Reasoning tokens',
    value: (result) => result.usage?.reasoningTokens ?? null,
    format: (value) => integer.format(value),
    better: null,
  },
  { label: 'Cost', value: (result) => result.cost, format: formatCost, better: 'lower' },
];

/** One row of the metrics table: a cell per column and which cells hold the best value. */
export interface MetricRow {
  label: string;
  /** The formatted value per column, or `–` where there is none. */
  cells: string[];
  best: boolean[];
}

/**
 * Builds the metrics table of the columns' results. In each row with a direction, the lowest
 * (times, cost) or highest (speed) value is marked best, ties included. Only complete answers
 * compete, because a failed slot's short latency is no achievement, and a row is marked only
 * when at least two answers have a value.
 */
export function metricRows(results: readonly (ApiComparisonResult | undefined)[]): MetricRow[] {
  return METRICS.map((metric) => {
    const values = results.map((result) => (result === undefined ? null : metric.value(result)));
    const competing = results.map(
      (result, index) => result?.status === 'complete' && values[index] !== null,
    );
    const best = bestMarks(values, competing, metric.better);
    return {
      label: metric.label,
      cells: values.map((value) => (value === null ? '–' : metric.format(value))),
      best,
    };
  });
}

function bestMarks(values: (number | null)[], competing: boolean[], better: Better): boolean[] {
  const candidates = values.filter((value, index): value is number => competing[index] === true);
  if (better === null || candidates.length < 2) {
    return values.map(() => false);
  }
  const target = better === 'lower' ? Math.min(...candidates) : Math.max(...candidates);
  return values.map((value, index) => competing[index] === true && value === target);
}

/** The one-line summary under a finished answer: latency, speed and cost. */
export function describeResult(result: ApiComparisonResult): string {
  const parts: string[] = [];
  if (result.ttftMs !== null) {
    parts.push(`first token ${formatDuration(result.ttftMs)}`);
  }
  if (result.latencyMs !== null) {
    parts.push(formatDuration(result.latencyMs));
  }
  if (result.tokensPerSecond !== null) {
    parts.push(formatSpeed(result.tokensPerSecond));
  }
  if (result.cost !== null) {
    parts.push(formatCost(result.cost));
  }
  return parts.join(' · ');
}
