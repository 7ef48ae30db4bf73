import { JsonSyntaxError, JsonValueScanner, isWhitespace } from './jsonScanner.js';
import { formatCount, tooLongMessage, type DatasetTextReader, type RecordSink } from './reader.js';
import { TextPosition, found } from './textPosition.js';

const ReaderState = {
  /** Before the opening '['. */
  Before: 0,
  /** After '[': a record or ']'. */
  First: 1,
  /** Inside a record, which the scanner checks. */
  Record: 2,
  /** After a record: ',' or ']'. */
  Next: 3,
  /** After ',': a record. */
  Comma: 4,
  /** After a syntax error: skipping to the end of the broken record. */
  Skipping: 5,
  /** After the closing ']': only whitespace. */
  After: 6,
  /** The file is not an array; the rest is ignored. */
  Stopped: 7,
} as const;
type ReaderState = (typeof ReaderState)[keyof typeof ReaderState];

/** Code units that can start a JSON value: a record after a missing comma starts with one. */
const VALUE_START = /["{[\-0-9tfn]/;

/**
 * Reads a JSON file that contains one top-level array of records, one record at a time: the
 * scanner finds where each record ends, and only that record's text is kept and parsed. After a
 * syntax error the reader skips to the end of the broken record by counting brackets outside
 * strings, then goes on with the next one.
 */
export class JsonArrayReader implements DatasetTextReader {
  private readonly position = new TextPosition();
  private readonly scanner = new JsonValueScanner(this.position);
  private state: ReaderState = ReaderState.Before;
  private recordCount = 0;
  /** The current record's text from earlier chunks, unless it is already too long. */
  private pieces: string[] = [];
  private recordChars = 0;
  /** Index in the current chunk where the current record's text starts (0 after the first). */
  private captureFrom = 0;
  private recordLine = 0;
  private recordColumn = 0;
  /** Skipping state: bracket depth inside the broken record, and string state. */
  private skipDepth = 0;
  private skipInString = false;
  private skipEscape = false;

  constructor(
    private readonly sink: RecordSink,
    private readonly maxRecordChars: number,
  ) {}

  write(text: string): void {
    let index = 0;
    while (index < text.length && this.state !== ReaderState.Stopped) {
      if (this.state === ReaderState.Record) {
        index = this.continueRecord(text, index);
      } else if (this.state === ReaderState.Skipping) {
        index = this.skip(text, index);
      } else {
        index = this.structural(text, index);
      }
    }
    if (this.state === ReaderState.Record) {
      this.hold(text.slice(this.captureFrom));
      this.captureFrom = 0;
    }
    this.position.base += text.length;
  }

  end(): void {
    const position = this.position;
    const column = position.column(0);
    if (this.state === ReaderState.Record) {
      try {
        // A number can end at the end of the input; anything else is cut off.
        this.scanner.finish(0);
        this.emitRecord('');
      } catch (error) {
        if (!(error instanceof JsonSyntaxError)) {
          throw error;
        }
        this.sink.invalidRecord(error.line, error.column, `Invalid JSON: ${error.message}.`);
        this.state = ReaderState.Skipping;
      }
    }
    const unclosed: ReaderState[] = [
      ReaderState.First,
      ReaderState.Next,
      ReaderState.Comma,
      ReaderState.Skipping,
    ];
    if (unclosed.includes(this.state)) {
      this.sink.fileError(
        position.line,
        column,
        "The file ends before the closing ']' of the array of records. Add the ']' (and any " +
          'missing closing brackets) at the end.',
      );
    }
  }

  /** Handles whitespace and the punctuation between records. */
  private structural(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (isWhitespace(code)) {
      if (code === 0x0a) {
        this.position.newline(index);
      }
      return index + 1;
    }
    switch (this.state) {
      case ReaderState.Before:
        return this.open(text, index);
      case ReaderState.First:
        if (code === 0x5d) {
          this.state = ReaderState.After;
          return index + 1;
        }
        return this.startRecord(index);
      case ReaderState.Next:
        return this.afterRecord(text, index);
      case ReaderState.Comma:
        if (code === 0x5d) {
          this.fileError(
            index,
            "A comma before the closing ']' is not allowed in JSON. Remove it.",
          );
          this.state = ReaderState.After;
          return index + 1;
        }
        return this.startRecord(index);
      default:
        this.fileError(
          index,
          `Unexpected ${found(text, index)} after the closing ']' of the array of records. ` +
            'A JSON dataset holds one array; remove the text after it.',
        );
        this.state = ReaderState.Stopped;
        return text.length;
    }
  }

  private open(text: string, index: number): number {
    if (text.charCodeAt(index) === 0x5b) {
      this.state = ReaderState.First;
      return index + 1;
    }
    const hint =
      text.charCodeAt(index) === 0x7b
        ? ' The file holds an object: put the records in one array ([{...}, {...}]), or save ' +
          'one record per line in a .jsonl file.'
        : '';
    this.fileError(
      index,
      `A JSON dataset must be one array of records, but the file starts with ` +
        `${found(text, index)} instead of '['.${hint}`,
    );
    this.state = ReaderState.Stopped;
    return text.length;
  }

  private afterRecord(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (code === 0x2c) {
      this.state = ReaderState.Comma;
      return index + 1;
    }
    if (code === 0x5d) {
      this.state = ReaderState.After;
      return index + 1;
    }
    const message =
      `Expected ',' or ']' after record ${formatCount(this.recordCount)}, found ` +
      `${found(text, index)}.`;
    if (VALUE_START.test(text[index] ?? '')) {
      this.fileError(index, `${message} Is a comma missing between two records?`);
      return this.startRecord(index);
    }
    this.fileError(index, message);
    this.startSkipping(0, false);
    return index;
  }

  private startRecord(index: number): number {
    this.recordCount += 1;
    this.recordLine = this.position.line;
    this.recordColumn = this.position.column(index);
    this.captureFrom = index;
    this.pieces = [];
    this.recordChars = 0;
    this.scanner.reset();
    this.state = ReaderState.Record;
    return index;
  }

  private continueRecord(text: string, index: number): number {
    let end: number;
    try {
      end = this.scanner.scan(text, index);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) {
        throw error;
      }
      this.sink.invalidRecord(error.line, error.column, `Invalid JSON: ${error.message}.`);
      this.startSkipping(this.scanner.depth, this.scanner.inString);
      return Math.max(index, error.offset - this.position.base);
    }
    if (end === -1) {
      return text.length;
    }
    this.emitRecord(text.slice(this.captureFrom, end));
    return end;
  }

  /** Keeps a piece of the current record's text, or only counts it once the record is too long. */
  private hold(piece: string): void {
    this.recordChars += piece.length;
    if (this.recordChars > this.maxRecordChars) {
      this.pieces = [];
    } else {
      this.pieces.push(piece);
    }
  }

  private emitRecord(lastPiece: string): void {
    this.state = ReaderState.Next;
    const length = this.recordChars + lastPiece.length;
    if (length > this.maxRecordChars) {
      this.pieces = [];
      this.sink.invalidRecord(
        this.recordLine,
        this.recordColumn,
        tooLongMessage(length, this.maxRecordChars),
      );
      return;
    }
    const text = this.pieces.length === 0 ? lastPiece : this.pieces.join('') + lastPiece;
    this.pieces = [];
    // The scanner accepted the text, and JSON.parse follows the same grammar.
    this.sink.record(this.recordLine, this.recordColumn, JSON.parse(text), text);
  }

  private startSkipping(depth: number, inString: boolean): void {
    this.pieces = [];
    this.skipDepth = depth;
    this.skipInString = inString;
    this.skipEscape = false;
    this.state = ReaderState.Skipping;
  }

  /**
   * Skips to the end of a broken record: a ',' or ']' outside strings at the array's depth, or a
   * closing bracket that returns to it.
   */
  private skip(text: string, start: number): number {
    for (let index = start; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code === 0x0a) {
        this.position.newline(index);
      }
      if (this.skipInString) {
        if (this.skipEscape) {
          this.skipEscape = false;
        } else if (code === 0x5c) {
          this.skipEscape = true;
        } else if (code === 0x22) {
          this.skipInString = false;
        }
      } else if (code === 0x22) {
        this.skipInString = true;
      } else if (code === 0x7b || code === 0x5b) {
        this.skipDepth += 1;
      } else if (code === 0x7d || code === 0x5d) {
        this.skipDepth -= 1;
        if (this.skipDepth <= 0) {
          this.state = this.skipDepth < 0 ? ReaderState.After : ReaderState.Next;
          return index + 1;
        }
      } else if (code === 0x2c && this.skipDepth === 0) {
        this.state = ReaderState.Comma;
        return index + 1;
      }
    }
    return text.length;
  }

  private fileError(index: number, message: string): void {
    this.sink.fileError(this.position.line, this.position.column(index), message);
  }
}
