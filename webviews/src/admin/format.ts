// Number and date formats of the page, in the browser's locale.

const integerFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compactFormat = new Intl.NumberFormat(undefined, {
  notation: 'compact',
  maximumFractionDigits: 1,
});
// Prices per token are small, so costs keep up to four decimals: $0.0625 stays visible.
const costFormat = new Intl.NumberFormat(undefined, {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 4,
});
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium',
});
const dayFormat = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});

export const formatInteger = (value: number) => integerFormat.format(value);

export const formatCompact = (value: number) => compactFormat.format(value);

export const formatCost = (value: number) => costFormat.format(value);

/** Formats an ISO time in the browser's time zone, or returns a dash for null. */
export const formatDateTime = (iso: string | null) =>
  iso === null ? '—' : dateTimeFormat.format(new Date(iso));

/** Formats a YYYY-MM-DD day briefly, such as "Mar 5". */
export const formatDay = (day: string) => dayFormat.format(new Date(`${day}T00:00:00Z`));

export const formatLatency = (ms: number | null) =>
  ms === null ? '—' : `${integerFormat.format(ms)} ms`;

/** Formats a count with its noun, such as "1 request" or "3 requests". */
export const formatCount = (count: number, singular: string, plural = `${singular}s`) =>
  `${integerFormat.format(count)} ${count === 1 ? singular : plural}`;
