// Positions and descriptions of code units in a text stream read chunk by chunk.

/** Line bookkeeping shared by a scanner and the reader that feeds it text chunk by chunk. */
export class TextPosition {
  /** The 1-based line of the code unit being scanned. */
  line = 1;
  /** Offset in the whole text of the first code unit of the current line. */
  lineStart = 0;
  /** Offset in the whole text of the current chunk's first code unit. */
  base = 0;

  /** Records a line feed at `index` of the current chunk. */
  newline(index: number): void {
    this.line += 1;
    this.lineStart = this.base + index + 1;
  }

  /** Returns the 1-based column, in UTF-16 code units, of `index` in the current chunk. */
  column(index: number): number {
    return this.base + index - this.lineStart + 1;
  }
}

/** Describes the code unit at `index` for a message: `'x'`, or a name for invisible ones. */
export function found(text: string, index: number): string {
  const code = text.charCodeAt(index);
  if (Number.isNaN(code)) {
    return 'the end of the input';
  }
  if (code === 0x0a || code === 0x0d) {
    return 'a line break';
  }
  if (code < 0x20 || code === 0x7f) {
    return `control character ${unicodeName(code)}`;
  }
  const codePoint = text.codePointAt(index) ?? code;
  return `'${String.fromCodePoint(codePoint)}'`;
}

/** Returns the code unit's name in U+XXXX form. */
export function unicodeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}
