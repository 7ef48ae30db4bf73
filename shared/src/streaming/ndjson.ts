/**
 * Splits newline-delimited JSON (Ollama's streaming format) into parsed values, for chunks cut
 * anywhere. Blank lines are skipped; a last line without a newline is parsed at `end`.
 */
export class NdjsonSplitter<T = unknown> {
  private buffer = '';
  private lineNumber = 0;

  /** Returns the values of the lines this chunk completed; throws NdjsonError on a bad line. */
  push(chunk: string): T[] {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    return lines.flatMap((line) => this.parse(line));
  }

  /** Parses a last line that had no newline. */
  end(): T[] {
    const rest = this.buffer;
    this.buffer = '';
    return this.parse(rest);
  }

  private parse(line: string): T[] {
    this.lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text.trim() === '') {
      return [];
    }
    try {
      return [JSON.parse(text) as T];
    } catch (error) {
      throw new NdjsonError(
        this.lineNumber,
        text,
        error instanceof Error ? error.message : String(error),
      );
    }
  }
}

/** A line of an NDJSON stream that is not valid JSON. */
export class NdjsonError extends Error {
  override name = 'NdjsonError';

  constructor(
    readonly line: number,
    readonly text: string,
    reason: string,
  ) {
    super(`Line ${line} of the stream is not valid JSON (${reason}): ${text.slice(0, 120)}`);
  }
}
