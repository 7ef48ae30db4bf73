import { TextPosition } from './textPosition.js';
import { formatCount, tooLongMessage, type DatasetTextReader, type RecordSink } from './reader.js';

const CsvState = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** A quote inside a quoted field: the field's end, or the first of a doubled quote. */
  QuoteSeen: 3,
  /** A CR after a closing quote, which must be the start of a CRLF ending. */
  QuoteSeenCr: 4,
} as const;
type CsvState = (typeof CsvState)[keyof typeof CsvState];

/** A run of unquoted field text: everything up to a comma, a line feed or a quote. */
const UNQUOTED_RUN = /[^,\n"]*/y;

/**
 * Reads CSV as RFC 4180 defines it: comma-separated fields, a header row naming the columns,
 * quoted fields that may hold commas, line breaks and doubled quotes, and CRLF or LF row endings.
 * Each row becomes a record keyed by the header. A row with the wrong number of fields, or a quote
 * where RFC 4180 allows none, is reported as invalid and reading goes on.
 */
export class CsvReader implements DatasetTextReader {
  private readonly position = new TextPosition();
  private state: CsvState = CsvState.FieldStart;
  private header: string[] | undefined;
  private fields: string[] = [];
  private fieldPieces: string[] = [];
  private fieldQuoted = false;
  /** Characters of the current row so far; past maxRecordChars its text is no longer kept. */
  private rowChars = 0;
  private rowLine = 1;
  /** Whether the row has a quoted field, so a row of one `""` is a record, not a blank line. */
  private rowHasQuotedField = false;
  private rowProblem: { column: number; message: string } | undefined;

  constructor(
    private readonly sink: RecordSink,
    private readonly maxRecordChars: number,
  ) {}

  write(text: string): void {
    let index = 0;
    while (index < text.length) {
      index = this.step(text, index);
    }
    this.position.base += text.length;
  }

  end(): void {
    if (this.state === CsvState.Quoted) {
      this.sink.invalidRecord(
        this.rowLine,
        undefined,
        `The file ends inside a quoted field of the row that starts on line ${this.rowLine}. ` +
          'Add the closing quote.',
      );
      return;
    }
    if (this.fields.length > 0 || this.fieldPieces.length > 0 || this.fieldQuoted) {
      this.endField(true);
      this.endRow();
    }
  }

  private step(text: string, index: number): number {
    const code = text.charCodeAt(index);
    switch (this.state) {
      case CsvState.FieldStart:
        if (code === 0x22) {
          this.fieldQuoted = true;
          this.rowHasQuotedField = true;
          this.state = CsvState.Quoted;
          return index + 1;
        }
        this.state = CsvState.Unquoted;
        return index;
      case CsvState.Unquoted:
        return this.unquoted(text, index);
      case CsvState.Quoted: {
        const quote = text.indexOf('"', index);
        const end = quote === -1 ? text.length : quote;
        this.countNewlines(text, index, end);
        this.append(text.slice(index, end));
        if (quote !== -1) {
          this.state = CsvState.QuoteSeen;
        }
        return quote === -1 ? end : end + 1;
      }
      case CsvState.QuoteSeen:
        return this.afterQuote(text, index);
      default:
        if (code !== 0x0a) {
          this.problem(index - 1, 'A CR after a closing quote must be followed by LF.');
          this.append('\r');
          this.state = CsvState.Unquoted;
          return index;
        }
        return this.endLine(index);
    }
  }

  private unquoted(text: string, index: number): number {
    UNQUOTED_RUN.lastIndex = index;
    UNQUOTED_RUN.test(text);
    const end = UNQUOTED_RUN.lastIndex;
    if (end > index) {
      this.append(text.slice(index, end));
    }
    if (end >= text.length) {
      return end;
    }
    const code = text.charCodeAt(end);
    if (code === 0x2c) {
      this.endField(false);
      return end + 1;
    }
    if (code === 0x0a) {
      return this.endLine(end);
    }
    this.problem(
      end,
      'A quote inside an unquoted field is not allowed in CSV (RFC 4180). Put the whole field ' +
        'in quotes and double each quote inside it ("").',
    );
    this.append('"');
    return end + 1;
  }

  private afterQuote(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      this.append('"');
      this.state = CsvState.Quoted;
      return index + 1;
    }
    if (code === 0x2c) {
      this.endField(false);
      return index + 1;
    }
    if (code === 0x0a) {
      return this.endLine(index);
    }
    if (code === 0x0d) {
      this.state = CsvState.QuoteSeenCr;
      return index + 1;
    }
    this.problem(
      index,
      'Text after the closing quote of a field must be a comma or a line break. Double any ' +
        'quote inside a quoted field ("").',
    );
    this.state = CsvState.Unquoted;
    return index;
  }

  /** Ends the row at the line feed at `index`. */
  private endLine(index: number): number {
    this.endField(true);
    this.endRow();
    this.position.newline(index);
    this.rowLine = this.position.line;
    return index + 1;
  }

  private append(piece: string): void {
    this.rowChars += piece.length;
    if (this.rowChars <= this.maxRecordChars) {
      this.fieldPieces.push(piece);
    }
  }

  private endField(atRowEnd: boolean): void {
    let value =
      this.fieldPieces.length === 1 ? (this.fieldPieces[0] ?? '') : this.fieldPieces.join('');
    if (atRowEnd && !this.fieldQuoted && value.endsWith('\r')) {
      value = value.slice(0, -1);
      this.rowChars -= 1;
    }
    this.fields.push(value);
    this.fieldPieces = [];
    this.fieldQuoted = false;
    this.state = CsvState.FieldStart;
    if (!atRowEnd) {
      this.rowChars += 1;
    }
  }

  private endRow(): void {
    const { fields, rowChars, rowProblem, rowLine } = this;
    const blank =
      fields.length === 1 && rowChars === 0 && !this.rowHasQuotedField && rowProblem === undefined;
    this.fields = [];
    this.rowChars = 0;
    this.rowProblem = undefined;
    this.rowHasQuotedField = false;

    if (blank) {
      return;
    }
    if (rowChars > this.maxRecordChars) {
      this.sink.invalidRecord(rowLine, undefined, tooLongMessage(rowChars, this.maxRecordChars));
      return;
    }
    if (this.header === undefined) {
      this.header = fields;
      if (rowProblem !== undefined) {
        this.sink.fileError(rowLine, rowProblem.column, `In the CSV header: ${rowProblem.message}`);
      }
      this.checkHeader(fields, rowLine);
      return;
    }
    if (rowProblem !== undefined) {
      this.sink.invalidRecord(rowLine, rowProblem.column, rowProblem.message);
      return;
    }
    this.emitRow(fields, this.header, rowLine);
  }

  /** Reports a data row as a record keyed by the header, or as invalid if the counts differ. */
  private emitRow(fields: string[], header: string[], line: number): void {
    if (fields.length !== header.length) {
      this.sink.invalidRecord(line, undefined, fieldCountMessage(fields, header));
      return;
    }
    const entries = fields.map((field, column): [string, string] => [header[column] ?? '', field]);
    const record: Record<string, string> = Object.fromEntries(entries);
    this.sink.record(line, undefined, record, JSON.stringify(fields));
  }

  private checkHeader(header: string[], line: number): void {
    const only = header.length === 1 ? header[0] : undefined;
    if (only?.includes('\t') === true) {
      this.sink.fileError(
        line,
        undefined,
        `The CSV header has one column, ${JSON.stringify(only)}, which contains tabs: the file ` +
          'looks tab-separated, but CSV columns are separated by commas. Save it as ' +
          'comma-separated values, or convert it to JSONL, and upload it again.',
      );
      return;
    }
    const seen = new Set<string>();
    header.forEach((name, index) => {
      if (name.trim() === '') {
        this.sink.fileError(line, undefined, `Column ${index + 1} of the CSV header has no name.`);
      } else if (seen.has(name)) {
        this.sink.fileError(line, undefined, `The CSV header names column "${name}" twice.`);
      }
      seen.add(name);
    });
  }

  private problem(index: number, message: string): void {
    this.rowProblem ??= { column: this.position.column(index), message };
  }

  private countNewlines(text: string, start: number, end: number): void {
    let newline = text.indexOf('\n', start);
    while (newline !== -1 && newline < end) {
      this.position.newline(newline);
      newline = text.indexOf('\n', newline + 1);
    }
  }
}

function fieldCountMessage(fields: string[], header: string[]): string {
  const count = fields.length;
  const names = header.map((name) => JSON.stringify(name)).join(', ');
  const fix =
    count === 1 && fields[0]?.includes('\t') === true
      ? 'The row contains tabs, so it looks tab-separated; separate the fields with commas.'
      : 'Quote any field that contains a comma.';
  return (
    `The row has ${formatCount(count)} field${count === 1 ? '' : 's'} but the header has ` +
    `${formatCount(header.length)} (${names}). ${fix}`
  );
}
