/** A point of a curve: the training step and its value. */
export type Point = readonly [step: number, value: number];

/** The largest smoothing weight; at 1 the curve would never move from its first value. */
export const MAX_SMOOTHING = 0.99;

/**
 * Smooths a curve with an exponential moving average of the given weight (0 returns the values
 * unchanged). The average starts at zero and is divided by `1 - weight^n` after n points, so the
 * first points are not pulled towards zero; TensorBoard's smoothing slider works the same way.
 */
export function smoothEma(points: readonly Point[], weight: number): Point[] {
  const clamped = Math.min(Math.max(weight, 0), MAX_SMOOTHING);
  if (clamped === 0) {
    return points.map(([step, value]) => [step, value] as const);
  }
  let average = 0;
  let correction = 1;
  return points.map(([step, value]) => {
    average = average * clamped + (1 - clamped) * value;
    correction *= clamped;
    return [step, average / (1 - correction)] as const;
  });
}
