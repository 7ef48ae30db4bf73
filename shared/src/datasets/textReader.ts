import { LineSplitter } from './lineSplitter.js';
import { tooLongMessage, type DatasetTextReader, type RecordSink } from './reader.js';
import type { TextMode } from './types.js';

/** Code units at the start of a TXT file that `auto` text mode looks at. */
export const TEXT_MODE_SAMPLE_CHARS = 65_536;

const BLANK = /^\s*$/;

/**
 * Picks how a TXT file splits into documents from its first TEXT_MODE_SAMPLE_CHARS code units:
 * paragraph mode when blank lines split them into at least two paragraphs that average at least
 * two lines each, otherwise line mode. A file with one document per line and a stray blank line
 * can fool it, so callers that know the layout pass `textMode`.
 */
export function detectTextMode(sample: string): TextMode {
  let paragraphs = 0;
  let textLines = 0;
  let inParagraph = false;
  for (const line of sample.split('\n')) {
    if (BLANK.test(line)) {
      inParagraph = false;
      continue;
    }
    textLines += 1;
    if (!inParagraph) {
      paragraphs += 1;
      inParagraph = true;
    }
  }
  return paragraphs >= 2 && textLines / paragraphs >= 2 ? 'paragraph' : 'line';
}

/**
 * Reads a TXT file as pretraining text: each non-blank line, or each paragraph of non-blank lines,
 * becomes a `{text}` record. Lines end with LF or CRLF; a paragraph's lines are joined with LF.
 */
export class PlainTextReader implements DatasetTextReader {
  private chosenMode: TextMode | undefined;
  /** The start of the file while `auto` mode waits for enough text to decide. */
  private sample: string[] = [];
  private sampleChars = 0;
  private readonly lines: LineSplitter;
  private paragraph: string[] = [];
  private paragraphChars = 0;
  private paragraphLine = 0;
  private paragraphTooLong = false;

  constructor(
    private readonly sink: RecordSink,
    private readonly maxRecordChars: number,
    mode: TextMode | 'auto',
  ) {
    this.chosenMode = mode === 'auto' ? undefined : mode;
    this.lines = new LineSplitter(maxRecordChars, {
      line: (text, lineNumber) => this.line(text, lineNumber),
      tooLong: (lineNumber, length) => this.tooLong(lineNumber, length),
    });
  }

  /** The mode in use, once chosen: at once when given, else after the sample or at the end. */
  get mode(): TextMode | undefined {
    return this.chosenMode;
  }

  write(text: string): void {
    if (this.chosenMode !== undefined) {
      this.lines.push(text);
      return;
    }
    this.sample.push(text);
    this.sampleChars += text.length;
    if (this.sampleChars >= TEXT_MODE_SAMPLE_CHARS) {
      this.decide();
    }
  }

  end(): void {
    if (this.chosenMode === undefined) {
      this.decide();
    }
    this.lines.end();
    this.endParagraph();
  }

  /**
   * Stops early, at invalid input: delivers the whole lines seen so far and drops the unfinished
   * line and the paragraph it belongs to.
   */
  stop(): void {
    if (this.chosenMode === undefined) {
      this.decide();
    }
  }

  private decide(): void {
    const text = this.sample.join('');
    this.sample = [];
    this.chosenMode = detectTextMode(text.slice(0, TEXT_MODE_SAMPLE_CHARS));
    this.lines.push(text);
  }

  private line(text: string, lineNumber: number): void {
    const blank = BLANK.test(text);
    if (this.chosenMode === 'line') {
      if (!blank) {
        this.sink.record(lineNumber, undefined, { text }, text);
      }
      return;
    }
    if (blank) {
      this.endParagraph();
      return;
    }
    this.startParagraph(lineNumber);
    this.paragraphChars += text.length;
    if (this.paragraphChars <= this.maxRecordChars) {
      this.paragraph.push(text);
    }
  }

  private tooLong(lineNumber: number, length: number): void {
    if (this.chosenMode === 'line') {
      this.sink.invalidRecord(lineNumber, undefined, tooLongMessage(length, this.maxRecordChars));
      return;
    }
    this.startParagraph(lineNumber);
    this.paragraphChars += length;
    this.paragraphTooLong = true;
  }

  private startParagraph(lineNumber: number): void {
    if (this.paragraphLine === 0) {
      this.paragraphLine = lineNumber;
    } else {
      // The line feed that joins this line to the previous one.
      this.paragraphChars += 1;
    }
  }

  private endParagraph(): void {
    if (this.paragraphLine === 0) {
      return;
    }
    const { paragraphLine, paragraphChars } = this;
    const tooLong = this.paragraphTooLong || paragraphChars > this.maxRecordChars;
    const text = tooLong ? '' : this.paragraph.join('\n');
    this.paragraph = [];
    this.paragraphChars = 0;
    this.paragraphLine = 0;
    this.paragraphTooLong = false;
    if (tooLong) {
      this.sink.invalidRecord(
        paragraphLine,
        undefined,
        tooLongMessage(paragraphChars, this.maxRecordChars),
      );
      return;
    }
    this.sink.record(paragraphLine, undefined, { text }, text);
  }
}
