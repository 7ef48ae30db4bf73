import type { ApiTrainingMetric } from '../../../../shared/src/api/training.js';

/**
 * Merges records into a list in step order. A record replaces the one of its step, as when the
 * evaluation loss of a step arrives after its training loss. Returns a new list, so Lit notices
 * the change. Appending at the end, the usual case, costs no search.
 */
export function mergeMetrics(
  current: readonly ApiTrainingMetric[],
  incoming: readonly ApiTrainingMetric[],
): ApiTrainingMetric[] {
  const merged = [...current];
  for (const metric of incoming) {
    const last = merged.at(-1);
    if (last === undefined || last.step < metric.step) {
      merged.push(metric);
      continue;
    }
    const index = lowerBound(merged, metric.step);
    if (merged[index]?.step === metric.step) {
      merged[index] = metric;
    } else {
      merged.splice(index, 0, metric);
    }
  }
  return merged;
}

/** Returns the index of the first record whose step is not below `step`. */
function lowerBound(metrics: readonly ApiTrainingMetric[], step: number): number {
  let low = 0;
  let high = metrics.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((metrics[middle] as ApiTrainingMetric).step < step) {
      low = middle + 1;
    } else {
      high = middle;
    }
  }
  return low;
}
