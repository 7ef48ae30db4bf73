// Formatting shared by the training webviews.

/** Formats milliseconds as `45 s`, `12 min` or `3 h 05 min`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

/** Formats a loss or learning rate with four significant digits, or `–` when absent. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined) {
    return '–';
  }
  return Math.abs(value) < 1e-3 && value !== 0 ? value.toExponential(2) : value.toPrecision(4);
}
