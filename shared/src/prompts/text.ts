import type { TextRange } from './types.js';

const BYTE_ORDER_MARK = '\uFEFF';

/** Removes a leading byte order mark, which editors do not show as part of the text. */
export function stripBom(content: string): string {
  return content.startsWith(BYTE_ORDER_MARK) ? content.slice(1) : content;
}

/** Converts CRLF and lone CR line endings to LF. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Returns the line break a text uses, CRLF or LF, for text inserted by quick fixes. */
export function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Returns the offset where the line containing `offset` ends, before its CR or LF. */
export function lineEndAt(text: string, offset: number): number {
  let index = offset;
  while (index < text.length && text[index] !== '\n' && text[index] !== '\r') {
    index++;
  }
  return index;
}

/** Returns the offset where the line containing `offset` starts. */
export function lineStartAt(text: string, offset: number): number {
  let index = Math.min(offset, text.length);
  while (index > 0 && text[index - 1] !== '\n' && text[index - 1] !== '\r') {
    index--;
  }
  return index;
}

/** Returns the offset of the line after the line break at `offset` (CRLF counts as one). */
export function nextLineStart(text: string, lineEnd: number): number {
  if (text[lineEnd] === '\r' && text[lineEnd + 1] === '\n') {
    return lineEnd + 2;
  }
  return Math.min(text.length, lineEnd + 1);
}

/** Maps UTF-16 offsets in a text to 1-based lines and columns. */
export class LineIndex {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let index = 0; index < text.length; index++) {
      const char = text.charCodeAt(index);
      if (char === 13 && text.charCodeAt(index + 1) === 10) {
        index++;
        this.lineStarts.push(index + 1);
      } else if (char === 10 || char === 13) {
        this.lineStarts.push(index + 1);
      }
    }
  }

  /** Returns the 1-based line and column of an offset, clamped to the text. */
  position(offset: number): { line: number; column: number } {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= clamped) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return { line: low + 1, column: clamped - (this.lineStarts[low] ?? 0) + 1 };
  }

  range(start: number, end: number): TextRange {
    const from = this.position(start);
    const to = this.position(Math.max(start, end));
    return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  }
}
