import { findJsonError } from './jsonScanner.js';
import { LineSplitter } from './lineSplitter.js';
import { tooLongMessage, type DatasetTextReader, type RecordSink } from './reader.js';

const BLANK = /^[ \t\r]*$/;

/**
 * Reads JSON Lines: one JSON record per line, LF or CRLF endings, blank lines skipped. Each line
 * goes to JSON.parse; only a line that fails is scanned again to find the line and column of the
 * error. A bad line is reported and the next line is read as usual.
 */
export class JsonlReader implements DatasetTextReader {
  private readonly lines: LineSplitter;

  constructor(sink: RecordSink, maxRecordChars: number) {
    this.lines = new LineSplitter(maxRecordChars, {
      line: (text, lineNumber) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          if (!BLANK.test(text)) {
            sink.invalidRecord(lineNumber, ...describeBadLine(text, error));
          }
          return;
        }
        sink.record(lineNumber, undefined, value, text);
      },
      tooLong: (lineNumber, length) => {
        sink.invalidRecord(lineNumber, undefined, tooLongMessage(length, maxRecordChars));
      },
    });
  }

  write(text: string): void {
    this.lines.push(text);
  }

  end(): void {
    this.lines.end();
  }
}

function describeBadLine(text: string, parseError: unknown): [number | undefined, string] {
  const located = findJsonError(text);
  if (located === undefined) {
    // The scanner and JSON.parse disagree; JSON.parse's own message is all there is to give.
    const reason = parseError instanceof Error ? parseError.message : String(parseError);
    return [undefined, `Invalid JSON: ${reason}. Each line must hold one JSON record.`];
  }
  return [
    located.column,
    `Invalid JSON: ${located.message}. Each line must hold one complete JSON record.`,
  ];
}
