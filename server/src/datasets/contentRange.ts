import { HttpError } from '../errors.js';

/** A Content-Range of a chunk: its first and last byte (inclusive) and the file's total size. */
export interface ContentRange {
  first: number;
  last: number;
  total: number;
}

const BYTES_RANGE = /^bytes (\d{1,15})-(\d{1,15})\/(\d{1,15})$/;

/**
 * Parses a Content-Range header of the form `bytes <first>-<last>/<total>` (RFC 9110, section
 * 14.4). Raises 400 for a missing or malformed header and 416 for a range whose last byte comes
 * before its first or lies past the total.
 */
export function parseContentRange(header: string | undefined): ContentRange {
  const example = 'such as bytes 0-8388607/20000000 for the first 8 MiB of a 20,000,000-byte file';
  if (header === undefined || header.trim() === '') {
    throw new HttpError(
      400,
      'invalid_content_range',
      `The Content-Range header is missing; send the chunk's range, ${example}.`,
    );
  }
  const match = BYTES_RANGE.exec(header.trim());
  if (match === null) {
    throw new HttpError(
      400,
      'invalid_content_range',
      `Content-Range ${JSON.stringify(header)} is not of the form bytes <first>-<last>/<total>; ` +
        `send a range ${example}. To read the offset, GET the upload.`,
    );
  }
  const [first, last, total] = [match[1], match[2], match[3]].map(Number) as [
    number,
    number,
    number,
  ];
  if (last < first || last >= total) {
    throw new HttpError(
      416,
      'invalid_content_range',
      `Content-Range ${JSON.stringify(header)} is not a range within the file: the last byte ` +
        'must be at least the first and less than the total.',
    );
  }
  return { first, last, total };
}
