import type { ApiTrainingMetric } from '../../../../shared/src/api/training.js';
import type { MonitorOverlay } from '../../../../shared/src/protocol/training.js';
import type { ChartLine } from './chartData.js';
import { smoothEma, type Point } from './smoothing.js';

/** Colours of the monitored task's lines and of each overlay, from the theme. */
export interface LinePalette {
  raw: string;
  main: string;
  evaluation: string;
  overlays: readonly string[];
}

function points(metrics: readonly ApiTrainingMetric[], key: 'loss' | 'evalLoss' | 'lr'): Point[] {
  const result: Point[] = [];
  for (const metric of metrics) {
    const value = metric[key];
    if (value !== null) {
      result.push([metric.step, value]);
    }
  }
  return result;
}

function overlayColor(palette: LinePalette, index: number): string {
  return palette.overlays[index % palette.overlays.length] ?? palette.main;
}

/**
 * Builds the loss chart's lines: the training loss smoothed (with the raw values underneath while
 * smoothing is on), the evaluation loss as dots, and the same two for each overlay.
 */
export function lossLines(
  metrics: readonly ApiTrainingMetric[],
  overlays: readonly MonitorOverlay[],
  smoothing: number,
  palette: LinePalette,
): ChartLine[] {
  const loss = points(metrics, 'loss');
  const lines: ChartLine[] = [];
  if (smoothing > 0) {
    lines.push({ label: 'loss (raw)', points: loss, color: palette.raw, width: 1 });
  }
  lines.push({ label: 'loss', points: smoothEma(loss, smoothing), color: palette.main });
  const evalLoss = points(metrics, 'evalLoss');
  if (evalLoss.length > 0) {
    lines.push({
      label: 'eval loss',
      points: evalLoss,
      color: palette.evaluation,
      dash: [6, 4],
      dots: true,
    });
  }
  overlays.forEach((overlay, index) => {
    const color = overlayColor(palette, index);
    lines.push({
      label: `${overlay.name}: loss`,
      points: smoothEma(points(overlay.metrics, 'loss'), smoothing),
      color,
    });
    const overlayEval = points(overlay.metrics, 'evalLoss');
    if (overlayEval.length > 0) {
      lines.push({
        label: `${overlay.name}: eval loss`,
        points: overlayEval,
        color,
        dash: [6, 4],
        dots: true,
      });
    }
  });
  return lines;
}

/** Builds the learning-rate chart's lines: the task's schedule and each overlay's. */
export function learningRateLines(
  metrics: readonly ApiTrainingMetric[],
  overlays: readonly MonitorOverlay[],
  palette: LinePalette,
): ChartLine[] {
  return [
    { label: 'learning rate', points: points(metrics, 'lr'), color: palette.main },
    ...overlays.map((overlay, index) => ({
      label: `${overlay.name}: learning rate`,
      points: points(overlay.metrics, 'lr'),
      color: overlayColor(palette, index),
    })),
  ];
}

/** Reads the palette from the theme variables on `element`, with fallbacks for a bare page. */
export function paletteOf(element: Element): LinePalette {
  const style = getComputedStyle(element);
  const variable = (name: string, fallback: string) =>
    style.getPropertyValue(name).trim() || fallback;
  return {
    raw: variable('--vscode-descriptionForeground', '#8b8b8b'),
    main: variable('--vscode-charts-blue', '#3794ff'),
    evaluation: variable('--vscode-charts-orange', '#d18616'),
    overlays: [
      variable('--vscode-charts-green', '#89d185'),
      variable('--vscode-charts-purple', '#b180d7'),
      variable('--vscode-charts-red', '#f14c4c'),
      variable('--vscode-charts-yellow', '#cca700'),
    ],
  };
}
