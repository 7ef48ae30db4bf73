import { HttpError } from '../errors.js';
import { presentReport } from './presenter.js';
import type { ScanResult } from './scanner.js';

/**
 * Raises the error for a file the server does not store: an empty file (400), a file that is not
 * UTF-8 (422) or one without a single valid record (422), such as a file whose records
 * LLaMA-Factory would all skip. The 422 errors carry the validation
 * report in `details.report`, so the client can show every problem found. A file with some
 * invalid records is stored, and its report lists them.
 */
export function assertStorable(scan: ScanResult, fileName: string): void {
  const quoted = JSON.stringify(fileName);
  if (scan.sizeBytes === 0) {
    throw new HttpError(
      400,
      'empty_file',
      `The file ${quoted} is empty; upload a file with at least one record.`,
    );
  }
  const details = { report: presentReport(scan.report) };
  if (!scan.utf8) {
    const fileError = scan.report.errors.find((error) => error.record === null);
    throw new HttpError(
      422,
      'invalid_encoding',
      fileError === undefined
        ? `The file ${quoted} is not valid UTF-8; save it as UTF-8 and upload it again.`
        : `The file ${quoted} was not stored. ${fileError.message}`,
      { details },
    );
  }
  if (scan.report.validCount === 0) {
    const first = scan.report.errors[0];
    const skipped = scan.report.skippedCount;
    const fix =
      first === undefined && skipped > 0
        ? `: LLaMA-Factory would skip all ${skipped} of its records; fix the turn_order ` +
          'warnings listed in details.report.warnings and upload it again.'
        : (first === undefined ? '' : ` (line ${first.line}: ${first.message})`) +
          '; fix the errors listed in details.report.errors and upload it again.';
    throw new HttpError(
      422,
      'no_valid_records',
      `The file ${quoted} has no valid ${scan.fileType.toUpperCase()} dataset record${fix}`,
      { details },
    );
  }
}
