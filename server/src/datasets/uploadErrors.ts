import { HttpError } from '../errors.js';

const MEGABYTE = 1024 * 1024;

/** Returns the upload limit in bytes for MAX_UPLOAD_MB. */
export function uploadLimitBytes(maxUploadMb: number): number {
  return maxUploadMb * MEGABYTE;
}

/** Formats a byte count in MiB with the exact count, as in `1 MiB (1,048,576 bytes)`. */
export function formatBytes(bytes: number): string {
  const exact = `${bytes.toLocaleString('en-US')} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < MEGABYTE) {
    return exact;
  }
  const mebibytes = Math.round((bytes / MEGABYTE) * 10) / 10;
  return `${mebibytes.toLocaleString('en-US')} MiB (${exact})`;
}

/** 413 for a dataset over MAX_UPLOAD_MB, naming the limit and the setting that raises it. */
export function fileTooLarge(maxUploadMb: number, sizeBytes?: number): HttpError {
  const size = sizeBytes === undefined ? '' : ` (${sizeBytes.toLocaleString('en-US')} bytes)`;
  return new HttpError(
    413,
    'payload_too_large',
    `The dataset file${size} is larger than the upload limit of ` +
      `${formatBytes(uploadLimitBytes(maxUploadMb))} (MAX_UPLOAD_MB=${maxUploadMb}); split the ` +
      'file, or ask the server admin to raise MAX_UPLOAD_MB.',
    { details: { limitBytes: uploadLimitBytes(maxUploadMb), maxUploadMb } },
  );
}

/** 400 for a form that is not what the upload expects. */
export function invalidForm(message: string): HttpError {
  return new HttpError(400, 'invalid_form', message);
}

/** Returns the error for a request body that broke off; the client never receives it. */
export function bodyCutOff(): HttpError {
  return new HttpError(
    400,
    'request_aborted',
    'The request body ended before the upload was complete; send the file again.',
  );
}
