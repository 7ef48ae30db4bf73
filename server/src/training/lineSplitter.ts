/** Whole lines cut from bytes read at some offset of a growing log, and the bytes they used. */
export interface SplitLines {
  lines: string[];
  /** Bytes used, up to and including the last line ending; the rest is read again next time. */
  consumed: number;
}

const NEWLINE = 0x0a;

/**
 * Cuts bytes of a log into whole lines. Only bytes up to the last newline are used, because the
 * writer may be in the middle of the last line. With `final` (the writer has exited), the rest
 * counts as a last line too. A run of `maxLineBytes` without a newline is taken as one line, so
 * a progress bar that never ends its line cannot stall the reader.
 *
 * Each line loses its line ending. A carriage return inside a line, as progress bars write to
 * redraw themselves, keeps only the text after the last one, which is what a terminal shows.
 */
export function splitLines(data: Buffer, final: boolean, maxLineBytes: number): SplitLines {
  let end = data.lastIndexOf(NEWLINE) + 1;
  if (final || (end === 0 && data.length >= maxLineBytes)) {
    end = data.length;
  }
  if (end === 0) {
    return { lines: [], consumed: 0 };
  }
  const text = data.subarray(0, end).toString('utf8');
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') {
    parts.pop();
  }
  return { lines: parts.map(visibleText), consumed: end };
}

/** Returns what a terminal shows of a line that may contain carriage returns. */
function visibleText(line: string): string {
  const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
  const lastReturn = trimmed.lastIndexOf('\r');
  return lastReturn === -1 ? trimmed : trimmed.slice(lastReturn + 1);
}
