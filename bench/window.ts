/**
 * A measurement window on the `performance.now()` clock. It opens `warmupSeconds` after it is
 * created and closes `durationSeconds` later, so load that runs across both phases is measured
 * only once the server, the JIT and the thread pool are warm.
 */
export class MeasurementWindow {
  readonly durationSeconds: number;
  private readonly opensAt: number;
  private readonly closesAt: number;

  constructor(warmupSeconds: number, durationSeconds: number) {
    this.durationSeconds = durationSeconds;
    this.opensAt = performance.now() + warmupSeconds * 1000;
    this.closesAt = this.opensAt + durationSeconds * 1000;
  }

  /** Returns whether an event at `time` falls inside the window. */
  contains(time: number): boolean {
    return time >= this.opensAt && time < this.closesAt;
  }

  isClosed(time: number = performance.now()): boolean {
    return time >= this.closesAt;
  }
}

/** Returns the nearest-rank percentile (0-100) of values sorted in ascending order, or NaN. */
export function percentile(sorted: readonly number[], rank: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const index = Math.min(sorted.length - 1, Math.ceil((rank / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}
