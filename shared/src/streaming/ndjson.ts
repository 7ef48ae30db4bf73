/**
 * Splits newline-delimited JSON (Ollama's streaming format) into parsed values, for chunks cut
 * anywhere. Lines end with LF or CRLF, blank lines are skipped, a BOM at the very start is dropped,
 * and a last line without a newline is parsed at `end`.
 */
export class NdjsonSplitter<T = unknown> {
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  /** The start of a line whose newline has not arrived yet. */
  private buffer = '';
  private started = false;
  private lineNumber = 0;
  private failure: NdjsonError | undefined;

  /**
   * Returns the values of the lines this chunk completed. Chunks are bytes (decoded here as UTF-8,
   * so a character cut across chunks stays whole) or already decoded text. Throws NdjsonError on a
   * line that is not valid JSON, dropping the values of the chunk's earlier lines, and throws that
   * error again on every later call.
   */
  push(chunk: string | Uint8Array): T[] {
    this.throwIfFailed();
    if (typeof chunk !== 'string') {
      this.decoder ??= new TextDecoder();
      return this.pushText(this.decoder.decode(chunk, { stream: true }));
    }
    if (this.decoder !== undefined) {
      return this.pushText(this.decoder.decode() + chunk);
    }
    return this.pushText(chunk);
  }

  /** Parses a last line that had no newline. Bytes cut inside a character become U+FFFD. */
  end(): T[] {
    this.throwIfFailed();
    const values = this.decoder === undefined ? [] : this.pushText(this.decoder.decode());
    const rest = this.buffer;
    this.buffer = '';
    if (rest !== '') {
      this.parseLine(rest, values);
    }
    return values;
  }

  private pushText(chunk: string): T[] {
    let start = 0;
    if (!this.started && chunk !== '') {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) {
        start = 1;
      }
    }
    const values: T[] = [];
    // Only the new chunk is searched, and the held start of a line is joined to its end once, so
    // a long line that arrives in many small chunks costs linear time.
    let newline = chunk.indexOf('\n', start);
    while (newline !== -1) {
      const piece = chunk.slice(start, newline);
      const line = this.buffer === '' ? piece : this.buffer + piece;
      this.buffer = '';
      this.parseLine(line, values);
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (start < chunk.length) {
      this.buffer += start === 0 ? chunk : chunk.slice(start);
    }
    return values;
  }

  private parseLine(line: string, values: T[]): void {
    this.lineNumber += 1;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') {
      return;
    }
    try {
      values.push(JSON.parse(text) as T);
    } catch (error) {
      this.failure = new NdjsonError(
        this.lineNumber,
        text,
        error instanceof Error ? error.message : String(error),
      );
      throw this.failure;
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) {
      throw this.failure;
    }
  }
}

/** Characters of the bad line that an NdjsonError message quotes. */
const EXCERPT_LENGTH = 80;

/** A line of an NDJSON stream that is not valid JSON. */
export class NdjsonError extends Error {
  override name = 'NdjsonError';
  /** The start of the line, at most EXCERPT_LENGTH characters, with `…` when it was cut. */
  readonly excerpt: string;

  /**
   * @param line 1-based line number in the stream, blank lines included.
   * @param text The whole line, without its line ending.
   * @param reason JSON.parse's message.
   */
  constructor(
    readonly line: number,
    readonly text: string,
    reason: string,
  ) {
    const excerpt = text.length > EXCERPT_LENGTH ? `${cutExcerpt(text)}…` : text;
    super(
      `Line ${line} of the NDJSON stream is not valid JSON (${reason}): ` +
        `${JSON.stringify(excerpt)}. ` +
        'Each line must contain one complete JSON value.',
    );
    this.excerpt = excerpt;
  }
}

/** Returns the first EXCERPT_LENGTH code units of a line, one fewer if a surrogate pair is cut. */
function cutExcerpt(text: string): string {
  const last = text.charCodeAt(EXCERPT_LENGTH - 1);
  const splitsPair = last >= 0xd800 && last <= 0xdbff;
  return text.slice(0, splitsPair ? EXCERPT_LENGTH - 1 : EXCERPT_LENGTH);
}
