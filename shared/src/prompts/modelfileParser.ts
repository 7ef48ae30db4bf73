import type { DiagnosticSink } from './diagnostics.js';
import { lineEndAt, nextLineStart } from './text.js';

/** A word of a Modelfile line and its span. */
export interface ModelfileWord {
  text: string;
  start: number;
  end: number;
}

/** An instruction's value: its span with quotes, and the span and text inside them. */
export interface ModelfileValue {
  start: number;
  end: number;
  contentStart: number;
  contentEnd: number;
  quote: '' | '"' | '"""';
  /** The text inside the quotes, with its line endings as written. */
  text: string;
}

/** One instruction, such as `PARAMETER temperature 0.7`. */
export interface ModelfileInstruction {
  keyword: ModelfileWord;
  /** The keyword in lower case: instructions are case-insensitive. */
  name: string;
  /** The parameter name of PARAMETER or the role of MESSAGE. */
  argument?: ModelfileWord;
  value?: ModelfileValue;
  start: number;
  end: number;
}

/**
 * Splits a Modelfile into instructions the way Ollama's parser reads it: `#` starts a comment
 * only where an instruction could start, and a value runs to the end of its line unless it
 * starts with `"` or `"""`. A quoted value ends at the first line end where the text so far,
 * trimmed, ends with the same quote, so text after a closing quote on the same line makes the
 * value run on. Quoted values have no escape sequences.
 */
export function parseModelfile(text: string, sink: DiagnosticSink): ModelfileInstruction[] {
  const instructions: ModelfileInstruction[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === ' ' || char === '\t' || char === '\r' || char === '\n') {
      index++;
    } else if (char === '#') {
      index = lineEndAt(text, index);
    } else {
      const instruction = readInstruction(text, index, sink);
      instructions.push(instruction);
      index = Math.max(instruction.end, index + 1);
    }
  }
  return instructions;
}

function readInstruction(text: string, start: number, sink: DiagnosticSink): ModelfileInstruction {
  const keyword = readWord(text, start);
  const name = keyword.text.toLowerCase();
  const instruction: ModelfileInstruction = { keyword, name, start, end: keyword.end };
  let index = skipBlanks(text, keyword.end);
  if ((name === 'parameter' || name === 'message') && !atLineEnd(text, index)) {
    instruction.argument = readWord(text, index);
    index = skipBlanks(text, instruction.argument.end);
  }
  if (atLineEnd(text, index)) {
    instruction.end = index;
    reportMissingValue(instruction, sink);
    return instruction;
  }
  instruction.value = readValue(text, index, keyword.text.toUpperCase(), sink);
  instruction.end = instruction.value.end;
  return instruction;
}

function reportMissingValue(instruction: ModelfileInstruction, sink: DiagnosticSink): void {
  const { keyword, name } = instruction;
  const label = keyword.text.toUpperCase();
  const example: Record<string, string> = {
    from: 'FROM llama3.2',
    parameter: instruction.argument
      ? `PARAMETER ${instruction.argument.text} <value>`
      : 'PARAMETER temperature 0.7',
    message: instruction.argument
      ? `MESSAGE ${instruction.argument.text} <text>`
      : 'MESSAGE user Is Toronto in Canada?',
    system: 'SYSTEM """You are a helpful assistant."""',
    template: 'TEMPLATE """{{ .Prompt }}"""',
    requires: 'REQUIRES 0.14.0',
  };
  const needed = name === 'parameter' && !instruction.argument ? 'a name and a value' : 'a value';
  sink.error(
    'missing-value',
    { start: keyword.start, end: (instruction.argument ?? keyword).end },
    `${label} needs ${needed} on the same line, such as ${example[name] ?? `${label} <value>`}.`,
  );
}

function readWord(text: string, start: number): ModelfileWord {
  let end = start;
  while (end < text.length && !isBlankOrNewline(text[end])) {
    end++;
  }
  return { text: text.slice(start, end), start, end };
}

function readValue(
  text: string,
  start: number,
  label: string,
  sink: DiagnosticSink,
): ModelfileValue {
  let quote: ModelfileValue['quote'] = '';
  if (text.startsWith('"""', start)) {
    quote = '"""';
  } else if (text[start] === '"') {
    quote = '"';
  }
  const firstLineEnd = lineEndAt(text, start);
  if (quote === '') {
    const end = trimEnd(text, start, firstLineEnd);
    return {
      start,
      end,
      contentStart: start,
      contentEnd: end,
      quote,
      text: text.slice(start, end),
    };
  }
  let lineEnd = firstLineEnd;
  for (;;) {
    const end = trimEnd(text, start, lineEnd);
    if (end - start >= quote.length * 2 && text.startsWith(quote, end - quote.length)) {
      if (lineEnd !== firstLineEnd) {
        reportEarlyClose(text, { start, firstLineEnd, quote, label, closedAt: end }, sink);
      }
      return quotedValue(text, { start, end }, quote);
    }
    if (lineEnd >= text.length) {
      break;
    }
    lineEnd = lineEndAt(text, nextLineStart(text, lineEnd));
  }
  if (!reportEarlyClose(text, { start, firstLineEnd, quote, label }, sink)) {
    sink.error(
      'unterminated-string',
      { start, end: start + quote.length },
      `The ${quote} value of ${label} is never closed; end it with ${quote} at the end of a line.`,
    );
  }
  return quotedValue(text, { start, end: text.length }, quote, false);
}

function quotedValue(
  text: string,
  { start, end }: { start: number; end: number },
  quote: '"' | '"""',
  closed = true,
): ModelfileValue {
  const contentStart = start + quote.length;
  const contentEnd = closed ? end - quote.length : end;
  return {
    start,
    end,
    contentStart,
    contentEnd,
    quote,
    text: text.slice(contentStart, contentEnd),
  };
}

interface EarlyClose {
  start: number;
  firstLineEnd: number;
  quote: string;
  label: string;
  /** The end of the value, when a later line closes it. */
  closedAt?: number;
}

/**
 * Reports a closing quote followed by more text on the value's first line, which Ollama does
 * not treat as the end of the value. Returns whether there was one.
 */
function reportEarlyClose(text: string, close: EarlyClose, sink: DiagnosticSink): boolean {
  const { start, firstLineEnd, quote, label } = close;
  const closing = text.indexOf(quote, start + quote.length);
  if (closing < 0 || closing >= firstLineEnd) {
    return false;
  }
  const afterStart = skipBlanks(text, closing + quote.length);
  const afterEnd = trimEnd(text, afterStart, firstLineEnd);
  if (afterEnd <= afterStart) {
    return false;
  }
  const fix = 'move it inside the quotes or onto a line of its own';
  if (close.closedAt === undefined) {
    sink.error(
      'text-after-quote',
      { start: afterStart, end: afterEnd },
      `Text after the closing ${quote} of ${label} is not allowed, because Ollama ends a quoted ` +
        `value only where a line ends with the quote, so the value never ends; ${fix}.`,
    );
  } else {
    sink.warning(
      'text-after-quote',
      { start: afterStart, end: afterEnd },
      `Text after the closing ${quote} of ${label} makes Ollama read the value on until ` +
        `line ${sink.lineOf(close.closedAt)}, where a line ends with ${quote}; ${fix}.`,
    );
  }
  return true;
}

function skipBlanks(text: string, index: number): number {
  let next = index;
  while (text[next] === ' ' || text[next] === '\t') {
    next++;
  }
  return next;
}

function trimEnd(text: string, start: number, end: number): number {
  let next = end;
  while (next > start && (text[next - 1] === ' ' || text[next - 1] === '\t')) {
    next--;
  }
  return next;
}

function atLineEnd(text: string, index: number): boolean {
  return index >= text.length || text[index] === '\n' || text[index] === '\r';
}

function isBlankOrNewline(char: string | undefined): boolean {
  return char === ' ' || char === '\t' || char === '\n' || char === '\r';
}
