// Escaping of stored text for the Markdown export, so that a title or a message renders as its
// own text: it cannot open a heading that looks like another turn, a thematic break, or raw
// HTML (such as <img onerror> or a closing </details>).

/** A fence line as CommonMark defines it: up to three spaces, then three or more ` or ~. */
export const FENCE_LINE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Characters that Markdown reads as inline syntax, escaped in one-line text such as a title. */
const INLINE_SYNTAX = /[\\`*_[\]!#~|]/g;

/** Block quote markers, list markers and spaces that may come before a block's first character. */
const CONTAINER_PREFIX = /^(?:[ \t]*(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t])))*[ \t]*/;

/** A line of only `-`, `=`, `*`, `_` and spaces: a setext underline or a thematic break. */
const RULE_LINE = /^[-=*_][-=*_ \t]*$/;

/**
 * Escapes one line of text for use inside a Markdown heading or list item: HTML opens no tag,
 * and emphasis, links, images and code spans are shown as typed.
 */
export function escapeMarkdownInline(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(INLINE_SYNTAX, (character) => `\\${character}`);
}

/**
 * Escapes a message body for the Markdown export while keeping its own formatting. Outside
 * fenced and indented code blocks, a line cannot start a heading, a setext underline or a
 * thematic break, even inside a block quote or list item, and `<` outside code spans opens no
 * HTML. Code blocks and code spans are kept as written.
 */
export function escapeMarkdownBlock(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  let fence: string | null = null;
  let indentedCode = false;
  let previousBlank = true;
  const escaped = lines.map((line) => {
    const blank = line.trim() === '';
    const fenceMatch = FENCE_LINE.exec(line);
    let result = line;
    if (fence !== null) {
      if (fenceMatch !== null && closesFence(fence, fenceMatch)) {
        fence = null;
      }
    } else if (fenceMatch !== null && opensFence(fenceMatch)) {
      fence = fenceMatch[1] ?? '```';
    } else if (!blank && /^( {4}|\t)/.test(line) && (previousBlank || indentedCode)) {
      indentedCode = true;
    } else {
      indentedCode = indentedCode && blank;
      result = escapeLine(line);
    }
    previousBlank = blank;
    return result;
  });
  return escaped.join('\n');
}

function opensFence(match: RegExpExecArray): boolean {
  const fence = match[1] ?? '';
  // A backtick fence's info string may not contain a backtick.
  return !(fence.startsWith('`') && (match[2] ?? '').includes('`'));
}

function closesFence(open: string, match: RegExpExecArray): boolean {
  const fence = match[1] ?? '';
  return fence[0] === open[0] && fence.length >= open.length && (match[2] ?? '').trim() === '';
}

/** Escapes one line outside code blocks: its block-starting character, then HTML. */
function escapeLine(line: string): string {
  const prefix = CONTAINER_PREFIX.exec(line)?.[0] ?? '';
  const rest = line.slice(prefix.length);
  let body = rest;
  if (rest.startsWith('#') || RULE_LINE.test(rest)) {
    body = `\\${rest}`;
  }
  return escapeHtmlOutsideCodeSpans(prefix + body);
}

/** Replaces `<` with `&lt;` except inside code spans, which show their text as written. */
function escapeHtmlOutsideCodeSpans(line: string): string {
  let result = '';
  let index = 0;
  while (index < line.length) {
    const tick = line.indexOf('`', index);
    if (tick === -1) {
      result += line.slice(index).replace(/</g, '&lt;');
      break;
    }
    result += line.slice(index, tick).replace(/</g, '&lt;');
    const run = /^`+/.exec(line.slice(tick))?.[0] ?? '`';
    const close = findClosingRun(line, tick + run.length, run.length);
    if (close === -1) {
      result += run;
      index = tick + run.length;
      continue;
    }
    result += line.slice(tick, close + run.length);
    index = close + run.length;
  }
  return result;
}

/** Returns the start of the next run of exactly `length` backticks from `from`, or -1. */
function findClosingRun(line: string, from: number, length: number): number {
  const pattern = new RegExp(`(?<!\`)\`{${length}}(?!\`)`, 'g');
  pattern.lastIndex = from;
  return pattern.exec(line)?.index ?? -1;
}
