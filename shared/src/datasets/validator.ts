import { CsvReader } from './csvReader.js';
import { IssueLog } from './issueLog.js';
import { JsonArrayReader } from './jsonArrayReader.js';
import { JsonlReader } from './jsonlReader.js';
import { LineHasher } from './lineHasher.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { formatCount, type DatasetTextReader } from './reader.js';
import { RecordChecker } from './recordChecker.js';
import { PlainTextReader } from './textReader.js';
import type { DatasetReport, DatasetValidatorOptions } from './types.js';
import { Utf8StreamDecoder, type Utf8Failure } from './utf8.js';

/** Validates one dataset file fed as byte chunks. */
export interface DatasetValidator {
  /** Validates the next bytes of the file; chunks may be cut anywhere, even inside a character. */
  push(chunk: Uint8Array): void;
  /** Ends the file and returns the report. Later calls return the same report. */
  end(): DatasetReport;
}

/**
 * Creates a validator for one dataset file. It keeps one record at a time (up to maxRecordChars)
 * and, while it detects the schema, the first records (up to about 4 Mi characters). Its tables
 * for statistics and the duplicate check have bounded sizes, so memory does not grow with the
 * file. Throws RangeError on invalid options.
 */
export function createDatasetValidator(options: DatasetValidatorOptions): DatasetValidator {
  return new StreamingValidator(resolveOptions(options));
}

class StreamingValidator implements DatasetValidator {
  private readonly decoder = new Utf8StreamDecoder();
  private readonly issues = new IssueLog();
  private readonly checker: RecordChecker;
  private readonly reader: DatasetTextReader;
  /** For JSONL: hashes of each line's bytes, for the duplicate check. */
  private readonly lineHasher: LineHasher | undefined;
  private byteCount = 0;
  /** The file's first two bytes as a big-endian number, to recognise a UTF-16 byte-order mark. */
  private firstBytes = 0;
  private started = false;
  private bomRemoved = false;
  /** Line and column after the text decoded so far, to place an invalid UTF-8 sequence. */
  private line = 1;
  private column = 1;
  private report: DatasetReport | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.lineHasher = options.fileType === 'jsonl' ? new LineHasher() : undefined;
    this.checker = new RecordChecker(
      {
        tags: options.tags,
        cutoffLength: options.cutoffLength,
        duplicateCheckLimit: options.duplicateCheckLimit,
        jsonRecords: options.fileType === 'json' || options.fileType === 'jsonl',
      },
      this.issues,
      this.lineHasher,
    );
    this.reader = createReader(options, this.checker);
  }

  push(chunk: Uint8Array): void {
    if (this.report !== undefined) {
      throw new Error('push() was called after end(); create a new validator for another file.');
    }
    for (let index = 0; index < chunk.length && this.byteCount + index < 2; index += 1) {
      this.firstBytes = (this.firstBytes << 8) | (chunk[index] ?? 0);
    }
    this.byteCount += chunk.length;
    if (this.decoder.failure !== undefined) {
      return;
    }
    // The hashes of the lines this chunk ends must be ready before the reader reports them.
    this.lineHasher?.push(chunk);
    this.write(this.decoder.decode(chunk));
    if (this.decoder.failure !== undefined) {
      this.stopAtEncodingFailure();
    }
  }

  end(): DatasetReport {
    if (this.report === undefined) {
      this.finish();
      this.report = this.buildReport();
    }
    return this.report;
  }

  private finish(): void {
    if (this.decoder.failure === undefined) {
      this.write(this.decoder.end());
      if (this.decoder.failure === undefined) {
        this.lineHasher?.end();
        this.reader.end();
      } else {
        this.stopAtEncodingFailure();
      }
    }
    this.checker.finish();
    if (this.decoder.failure !== undefined) {
      this.reportEncodingFailure(this.decoder.failure);
    }
    if (this.byteCount === 0) {
      this.issues.error({ line: 1, record: null, message: 'The file is empty.' });
    } else if (this.checker.recordCount === 0 && this.issues.errorCount === 0) {
      this.issues.error({
        line: 1,
        record: null,
        message: 'The file contains no records.',
      });
    }
  }

  private write(text: string): void {
    if (text === '') {
      return;
    }
    let body = text;
    if (!this.started) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) {
        body = text.slice(1);
        this.bomRemoved = true;
        this.issues.warnSummary({
          line: 1,
          column: 1,
          record: null,
          code: 'bom_removed',
          message: 'The file starts with a UTF-8 byte-order mark, which was removed.',
        });
      }
    }
    this.advancePosition(body);
    this.reader.write(body);
  }

  private advancePosition(text: string): void {
    const last = text.lastIndexOf('\n');
    if (last === -1) {
      this.column += text.length;
      return;
    }
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.line += 1;
      newline = text.indexOf('\n', newline + 1);
    }
    this.column = text.length - last;
  }

  /** Ends reading at invalid UTF-8: records before it are checked, the one it cuts is not. */
  private stopAtEncodingFailure(): void {
    if (this.reader instanceof PlainTextReader) {
      this.reader.stop();
    }
  }

  /** Reports invalid UTF-8 at the end, once the first two bytes tell whether the file is UTF-16. */
  private reportEncodingFailure(failure: Utf8Failure): void {
    const offset = formatCount(failure.byteOffset);
    const where = `byte offset ${offset} (line ${this.line}, column ${this.column})`;
    const problem = failure.truncated
      ? `The file ends inside a multi-byte UTF-8 character at ${where}`
      : this.startsWithUtf16Bom(failure)
        ? 'The file is UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8'
        : `The file is not valid UTF-8: ${where} starts the invalid sequence ${failure.bytes}`;
    this.issues.error({
      line: this.line,
      column: this.column,
      record: null,
      message:
        `${problem}. Validation stopped there, so later records were not checked. Save the file ` +
        'as UTF-8 and upload it again.',
    });
  }

  private startsWithUtf16Bom(failure: Utf8Failure): boolean {
    return failure.byteOffset === 0 && (this.firstBytes === 0xfffe || this.firstBytes === 0xfeff);
  }

  private buildReport(): DatasetReport {
    const checker = this.checker;
    const plan = checker.plan;
    const conversations = plan?.conversations;
    const report: DatasetReport = {
      fileType: this.options.fileType,
      schema: plan?.schema ?? 'unknown',
      columns: { ...checker.columns },
      recordCount: checker.recordCount,
      validCount: checker.validCount,
      invalidCount: checker.invalidCount,
      skippedCount: checker.skippedCount,
      errors: this.issues.errors,
      errorCount: this.issues.errorCount,
      warnings: this.issues.listWarnings(),
      warningCount: this.issues.warningCount,
      warningCounts: this.issues.warningCounts,
      stats: checker.stats(),
      preview: checker.preview,
      bomRemoved: this.bomRemoved,
      byteCount: this.byteCount,
    };
    if (plan?.preferenceFormat !== undefined) {
      report.preferenceFormat = plan.preferenceFormat;
    }
    if (this.reader instanceof PlainTextReader && this.reader.mode !== undefined) {
      report.textMode = this.reader.mode;
    }
    if (conversations !== undefined) {
      report.tags = { ...conversations.tags };
      report.roles = Object.fromEntries(conversations.roleCounts);
    }
    return report;
  }
}

function createReader(options: ResolvedOptions, checker: RecordChecker): DatasetTextReader {
  switch (options.fileType) {
    case 'json':
      return new JsonArrayReader(checker, options.maxRecordChars);
    case 'jsonl':
      return new JsonlReader(checker, options.maxRecordChars);
    case 'csv':
      return new CsvReader(checker, options.maxRecordChars);
    case 'txt':
      return new PlainTextReader(checker, options.maxRecordChars, options.textMode);
  }
}
