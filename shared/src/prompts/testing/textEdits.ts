import type { PromptDiagnostic, TextEdit, TextRange } from '../types.js';

/**
 * Applies edits given in 1-based lines and UTF-16 columns, the way an editor would, so that
 * tests check quick fixes without the offset code under test. A leading byte order mark stays
 * in front and does not count as a column.
 */
export function applyEdits(content: string, edits: readonly TextEdit[]): string {
  const bom = content.startsWith('\uFEFF') ? '\uFEFF' : '';
  let text = content.slice(bom.length);
  const sorted = [...edits].sort(
    (a, b) => b.range.line - a.range.line || b.range.column - a.range.column,
  );
  for (const edit of sorted) {
    const start = toOffset(text, edit.range.line, edit.range.column);
    const end = toOffset(text, edit.range.endLine, edit.range.endColumn);
    text = text.slice(0, start) + edit.newText + text.slice(end);
  }
  return bom + text;
}

/** Applies the quick fix of a diagnostic, failing when it has none. */
export function applyFix(content: string, diagnostic: PromptDiagnostic | undefined): string {
  if (!diagnostic?.fix) {
    throw new Error(`Expected a quick fix on ${JSON.stringify(diagnostic)}.`);
  }
  return applyEdits(content, diagnostic.fix.edits);
}

function toOffset(text: string, line: number, column: number): number {
  const pattern = /\r\n|\r|\n/g;
  let lineStart = 0;
  for (let current = 1; current < line; current++) {
    const match = pattern.exec(text);
    if (!match) {
      throw new Error(`Line ${line} is past the end of the text.`);
    }
    lineStart = match.index + match[0].length;
  }
  return lineStart + column - 1;
}

/**
 * Returns the range of the `occurrence`-th appearance of `needle` in `content`, so that tests
 * can name a span by its text. Counts lines and UTF-16 columns by itself.
 */
export function rangeOf(content: string, needle: string, occurrence = 1): TextRange {
  const text = content.startsWith('\uFEFF') ? content.slice(1) : content;
  let offset = -1;
  for (let count = 0; count < occurrence; count++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) {
      throw new Error(`"${needle}" does not occur ${occurrence} times.`);
    }
  }
  const start = toPosition(text, offset);
  const end = toPosition(text, offset + needle.length);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column };
}

function toPosition(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split(/\r\n|\r|\n/);
  return { line: before.length, column: (before.at(-1) ?? '').length + 1 };
}
