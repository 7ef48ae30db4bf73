/** Receives what a file-type reader finds, in file order. */
export interface RecordSink {
  /** A parsed record, with `text`: its source text, used for the duplicate check. */
  record(line: number, column: number | undefined, value: unknown, text: string): void;
  /** A record that could not be read: a syntax error, or too long to keep. */
  invalidRecord(line: number, column: number | undefined, message: string): void;
  /** A problem that belongs to no single record, such as a missing closing bracket. */
  fileError(line: number, column: number | undefined, message: string): void;
}

/** Reads one file type from decoded text chunks cut anywhere, and reports to a RecordSink. */
export interface DatasetTextReader {
  write(text: string): void;
  /** Ends the input: flushes a last record and reports anything left unclosed. */
  end(): void;
}

/**
 * Returns the message for a record over the maxRecordChars limit. It names the limit and the fix
 * that is in the user's hands, because the limit is the server's setting, not the user's.
 */
export function tooLongMessage(length: number, limit: number): string {
  return (
    `The record has ${formatCount(length)} characters, more than the limit of ` +
    `${formatCount(limit)} characters per record, so it was skipped. Split it into shorter ` +
    'records.'
  );
}

/** Formats a count with thousands separators, the same in every locale. */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
