/** Receives the lines that a LineSplitter cuts out of a text stream. */
export interface LineHandler {
  /** A whole line without its line ending (LF, or CRLF), with its 1-based number. */
  line(text: string, lineNumber: number): void;
  /** A line over the limit, dropped while it arrived; `length` excludes the line ending. */
  tooLong(lineNumber: number, length: number): void;
}

/**
 * Cuts a text stream, in chunks cut anywhere, into lines. It keeps at most `maxLineChars` code
 * units of an unfinished line: past that it drops the line's text, keeps counting its length, and
 * reports it as too long when its end arrives.
 */
export class LineSplitter {
  /** The start of a line whose newline has not arrived yet, as pieces joined once at its end. */
  private pieces: string[] = [];
  private heldChars = 0;
  private skipping = false;
  private skippedChars = 0;
  /** Whether the last code unit of the line so far is CR, which a following LF makes an ending. */
  private endsWithCr = false;
  private lineNumber = 1;

  constructor(
    private readonly maxLineChars: number,
    private readonly handler: LineHandler,
  ) {}

  /** Code units of an unfinished line held now: at most `maxLineChars` + 1, for a CRLF's CR. */
  get bufferedChars(): number {
    return this.heldChars;
  }

  push(text: string): void {
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      this.finishLine(text, start, newline);
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    if (start < text.length) {
      this.hold(text, start);
    }
  }

  /** Delivers a last line that has no newline. */
  end(): void {
    if (this.skipping || this.heldChars > 0) {
      this.finishLine('', 0, 0);
    }
  }

  private finishLine(text: string, start: number, end: number): void {
    const lineNumber = this.lineNumber;
    this.lineNumber += 1;
    // One code unit over the limit is held, for the CR of a CRLF ending.
    if (!this.skipping && this.heldChars + end - start <= this.maxLineChars + 1) {
      let line = this.joinHeld(text, start, end);
      this.reset();
      if (line.charCodeAt(line.length - 1) === 0x0d) {
        line = line.slice(0, -1);
      }
      if (line.length <= this.maxLineChars) {
        this.handler.line(line, lineNumber);
      } else {
        this.handler.tooLong(lineNumber, line.length);
      }
      return;
    }
    const lastIsCr = end > start ? text.charCodeAt(end - 1) === 0x0d : this.endsWithCr;
    const length = this.skippedChars + this.heldChars + end - start - Number(lastIsCr);
    this.pieces = [];
    this.heldChars = 0;
    this.reset();
    this.handler.tooLong(lineNumber, length);
  }

  /** Returns the held pieces joined with text[start, end), and clears them. */
  private joinHeld(text: string, start: number, end: number): string {
    const tail = text.slice(start, end);
    const pieces = this.pieces;
    this.pieces = [];
    this.heldChars = 0;
    if (pieces.length === 0) {
      return tail;
    }
    pieces.push(tail);
    return pieces.join('');
  }

  private hold(text: string, start: number): void {
    const length = text.length - start;
    this.endsWithCr = text.charCodeAt(text.length - 1) === 0x0d;
    if (this.skipping) {
      this.skippedChars += length;
      return;
    }
    if (this.heldChars + length > this.maxLineChars + 1) {
      // One code unit over the limit is allowed for the CR of a CRLF ending.
      this.skipping = true;
      this.skippedChars = this.heldChars + length;
      this.pieces = [];
      this.heldChars = 0;
      return;
    }
    this.pieces.push(start === 0 ? text : text.slice(start));
    this.heldChars += length;
  }

  private reset(): void {
    this.skipping = false;
    this.skippedChars = 0;
    this.endsWithCr = false;
  }
}
