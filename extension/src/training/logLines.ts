// Joins pieces of train.log read at different times into one list of lines without duplicates.
// The event stream's log events carry no byte offsets, so a piece is placed by the known lines it
// repeats.

/** Known lines compared at most when placing a piece; longer runs add nothing to the certainty. */
const MAX_CONTEXT = 50;

/** New lines of a piece, and whether lines may be missing between the known ones and them. */
export interface PlacedLines {
  lines: string[];
  gap: boolean;
}

/**
 * Returns the lines of a tail of train.log that come after `known`. The tail is expected to
 * repeat the last known lines somewhere. The longest such run wins, and the earliest among equal
 * runs, so a repeated line is not taken for one already shown. A tail that repeats none of them
 * is returned whole with `gap` set, unless nothing is known yet.
 */
export function linesAfterTail(known: readonly string[], tail: readonly string[]): PlacedLines {
  if (known.length === 0) {
    return { lines: [...tail], gap: false };
  }
  let bestEnd = -1;
  let bestLength = 0;
  for (let end = 1; end <= tail.length; end += 1) {
    const length = matchingRun(known, tail, end);
    if (length > bestLength) {
      bestLength = length;
      bestEnd = end;
    }
  }
  if (bestEnd === -1) {
    return { lines: [...tail], gap: true };
  }
  return { lines: tail.slice(bestEnd), gap: false };
}

/**
 * Returns the lines of a live batch that come after `known`: the batch may start with lines that
 * a tail read already delivered, and those are dropped.
 */
export function linesAfterLive(known: readonly string[], live: readonly string[]): string[] {
  const limit = Math.min(known.length, live.length, MAX_CONTEXT);
  for (let length = limit; length > 0; length -= 1) {
    if (matchingRun(known, live, length) === length) {
      return live.slice(length);
    }
  }
  return [...live];
}

/** Counts how many of the last known lines equal the lines of `piece` that end before `end`. */
function matchingRun(known: readonly string[], piece: readonly string[], end: number): number {
  const limit = Math.min(end, known.length, MAX_CONTEXT);
  let length = 0;
  while (length < limit && piece[end - 1 - length] === known[known.length - 1 - length]) {
    length += 1;
  }
  return length;
}

/**
 * Splits the text of a log tail into whole lines. A tail that starts inside the file drops its
 * first line, which is cut. A last line without its line ending is still being written, so it is
 * kept only when `complete` says no more text will follow.
 */
export function tailLines(text: string, offset: number, complete: boolean): string[] {
  if (text === '') {
    return [];
  }
  const lines = text.split(/\r?\n/);
  if (offset > 0) {
    lines.shift();
  }
  const last = lines.pop();
  if (last !== undefined && last !== '' && complete) {
    lines.push(last);
  }
  return lines;
}
