import type { Point } from './smoothing.js';

/** One line of a chart. */
export interface ChartLine {
  label: string;
  points: readonly Point[];
  color: string;
  width?: number;
  /** Dash pattern in pixels, such as [6, 4]; solid when absent. */
  dash?: number[];
  /** Draws a dot on each point, for sparse series such as evaluation loss. */
  dots?: boolean;
}

/**
 * Aligns lines on one x axis for uPlot: the sorted union of every line's steps, then one array
 * per line with null where that line has no point at a step.
 */
export function alignLines(lines: readonly ChartLine[]): [number[], ...(number | null)[][]] {
  const steps = new Set<number>();
  for (const line of lines) {
    for (const [step] of line.points) {
      steps.add(step);
    }
  }
  const xs = [...steps].sort((left, right) => left - right);
  const index = new Map(xs.map((step, position) => [step, position]));
  const ys = lines.map((line) => {
    const values: (number | null)[] = new Array<number | null>(xs.length).fill(null);
    for (const [step, value] of line.points) {
      values[index.get(step) as number] = value;
    }
    return values;
  });
  return [xs, ...ys];
}

/** Returns a key of the lines' look: the chart is rebuilt when it changes, else gets new data. */
export function linesLayoutKey(lines: readonly ChartLine[]): string {
  return JSON.stringify(
    lines.map((line) => [line.label, line.color, line.width, line.dash, line.dots]),
  );
}
