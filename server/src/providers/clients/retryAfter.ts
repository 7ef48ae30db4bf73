/**
 * The maximum wait a provider may request, one day. A longer `Retry-After` is not credible, as one
 * of 10^20 seconds that a hostile server sent, so it is ignored rather than repeated to the user.
 */
const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/**
 * Reads `Retry-After` (seconds or an HTTP date), or the `retry-after-ms` some servers send, in
 * milliseconds. Returns undefined when neither is present, readable and at most one day.
 */
export function retryAfterMsOf(headers: Headers | undefined): number | undefined {
  const wait = requestedWaitMs(headers);
  return wait === undefined || wait > MAX_RETRY_AFTER_MS ? undefined : wait;
}

function requestedWaitMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) {
    return milliseconds;
  }
  const value = headers?.get('retry-after')?.trim();
  if (value === undefined || value === '') {
    return undefined;
  }
  if (/^\d+(\.\d+)?$/.test(value)) {
    return Math.round(Number(value) * 1000);
  }
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
