// An incremental JSON syntax checker (RFC 8259 grammar) that tracks lines and columns. It builds no
// values: readers cut record text at the boundaries it finds and hand that text to JSON.parse.
import { TextPosition, found, unicodeName } from './textPosition.js';

/** A JSON syntax error at a 1-based line and column. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';

  /**
   * @param offset Offset of the offending code unit in the whole text, so a reader can resume
   *   there.
   */
  constructor(
    readonly line: number,
    readonly column: number,
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Deepest nesting of objects and arrays accepted inside one value. */
export const MAX_JSON_DEPTH = 1000;

const State = {
  Value: 0,
  ArrayFirst: 1,
  ArrayElement: 2,
  ArrayNext: 3,
  ObjectFirst: 4,
  ObjectKey: 5,
  Colon: 6,
  ObjectNext: 7,
  String: 8,
  Escape: 9,
  Unicode: 10,
  Minus: 11,
  Zero: 12,
  Integer: 13,
  Dot: 14,
  Fraction: 15,
  Exponent: 16,
  ExponentSign: 17,
  ExponentDigits: 18,
  Literal: 19,
  Done: 20,
} as const;
type State = (typeof State)[keyof typeof State];

const OBJECT = 0;
const ARRAY = 1;

/** A run of string content that needs no look: no quote, backslash or control character. */
// JSON strings may not contain raw control characters, so the run must stop at them.
// eslint-disable-next-line no-control-regex
const STRING_RUN = /[^"\\\u0000-\u001f]*/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const LITERALS: Record<string, string> = { t: 'true', f: 'false', n: 'null' };

/**
 * Checks the syntax of one JSON value fed in chunks. `scan` returns where the value ended, so the
 * caller can cut out its text, and throws JsonSyntaxError at the first error.
 */
export class JsonValueScanner {
  private state: State = State.Value;
  /** Open containers, OBJECT or ARRAY, innermost last. */
  private readonly stack: number[] = [];
  private stringIsKey = false;
  private hexDigitsLeft = 0;
  private literal = '';
  private literalIndex = 0;

  constructor(readonly position: TextPosition) {}

  /** Objects and arrays open at the scan position. */
  get depth(): number {
    return this.stack.length;
  }

  /** Whether the scan position is inside a string. */
  get inString(): boolean {
    return this.state >= State.String && this.state <= State.Unicode;
  }

  /** Prepares for the next value. */
  reset(): void {
    this.state = State.Value;
    this.stack.length = 0;
  }

  /**
   * Scans `text` from `start` and returns the index just past the end of the value, or -1 when
   * the text ran out first. A number ends at the first code unit after it, which is not consumed.
   */
  scan(text: string, start: number): number {
    let index = start;
    while (index < text.length) {
      if (this.state === State.String) {
        STRING_RUN.lastIndex = index;
        STRING_RUN.test(text);
        index = STRING_RUN.lastIndex;
        if (index >= text.length) {
          return -1;
        }
      }
      const next = this.step(text, index);
      if (next < 0) {
        return -next - 1;
      }
      index = next;
    }
    return -1;
  }

  /** Ends the input at `index` of the last chunk; throws unless the value is complete there. */
  finish(index: number): void {
    const state = this.state;
    const numberComplete =
      state === State.Zero ||
      state === State.Integer ||
      state === State.Fraction ||
      state === State.ExponentDigits;
    if (state === State.Done || (numberComplete && this.stack.length === 0)) {
      this.state = State.Done;
      return;
    }
    throw this.error(index, endMessage(state, this.stack));
  }

  /**
   * Handles the code unit at `index` and returns the index to go on from, or, when the value has
   * ended, -(end + 1).
   */
  private step(text: string, index: number): number {
    const code = text.charCodeAt(index);
    const state = this.state;
    if (state <= State.ObjectNext && isWhitespace(code)) {
      if (code === 0x0a) {
        this.position.newline(index);
      }
      return index + 1;
    }
    switch (state) {
      case State.Value:
      case State.ArrayElement:
        if (state === State.ArrayElement && code === 0x5d) {
          throw this.error(index, "a comma before ']' is not allowed in JSON; remove it");
        }
        return this.beginValue(text, index);
      case State.ArrayFirst:
        return code === 0x5d ? this.closeContainer(index) : this.beginValue(text, index);
      case State.ObjectFirst:
      case State.ObjectKey:
        return this.beginKey(text, index);
      case State.ArrayNext:
      case State.Colon:
      case State.ObjectNext:
        return this.punctuation(text, index);
      case State.String:
        return this.stringEnd(text, index);
      case State.Escape:
        return this.escape(text, index);
      case State.Unicode:
        if (!isHexDigit(code)) {
          throw this.error(index, `a \\u escape needs 4 hex digits, found ${found(text, index)}`);
        }
        this.hexDigitsLeft -= 1;
        this.state = this.hexDigitsLeft === 0 ? State.String : State.Unicode;
        return index + 1;
      case State.Literal:
        return this.literalNext(text, index);
      case State.Done:
        return -index - 1;
      default:
        return this.numberNext(text, index);
    }
  }

  /** Handles the ',', ':', ']' or '}' expected after an element, a key or a property value. */
  private punctuation(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (this.state === State.Colon) {
      if (code !== 0x3a) {
        throw this.error(index, `expected ':' after a property name, found ${found(text, index)}`);
      }
      this.state = State.Value;
      return index + 1;
    }
    const inArray = this.state === State.ArrayNext;
    if (code === 0x2c) {
      this.state = inArray ? State.ArrayElement : State.ObjectKey;
      return index + 1;
    }
    if (code === (inArray ? 0x5d : 0x7d)) {
      return this.closeContainer(index);
    }
    const expected = inArray
      ? "',' or ']' after an array element"
      : "',' or '}' after a property value";
    const hint = !inArray && code === 0x22 ? ' (is a comma missing?)' : '';
    throw this.error(index, `expected ${expected}, found ${found(text, index)}${hint}`);
  }

  private beginValue(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (code === 0x7b || code === 0x5b) {
      if (this.stack.length >= MAX_JSON_DEPTH) {
        throw this.error(
          index,
          `objects and arrays are nested deeper than ${MAX_JSON_DEPTH} levels`,
        );
      }
      this.stack.push(code === 0x7b ? OBJECT : ARRAY);
      this.state = code === 0x7b ? State.ObjectFirst : State.ArrayFirst;
      return index + 1;
    }
    if (code === 0x22) {
      this.stringIsKey = false;
      this.state = State.String;
      return index + 1;
    }
    if (code === 0x2d) {
      this.state = State.Minus;
      return index + 1;
    }
    if (code >= 0x30 && code <= 0x39) {
      this.state = code === 0x30 ? State.Zero : State.Integer;
      return index + 1;
    }
    const literal = LITERALS[text[index] ?? ''];
    if (literal !== undefined) {
      this.literal = literal;
      this.literalIndex = 1;
      this.state = State.Literal;
      return index + 1;
    }
    throw this.error(index, `expected a value, found ${found(text, index)}${valueHint(code)}`);
  }

  private beginKey(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      this.stringIsKey = true;
      this.state = State.String;
      return index + 1;
    }
    if (code === 0x7d) {
      if (this.state === State.ObjectKey) {
        throw this.error(index, "a comma before '}' is not allowed in JSON; remove it");
      }
      return this.closeContainer(index);
    }
    const hint = code === 0x27 ? ' (JSON strings use double quotes)' : '';
    throw this.error(
      index,
      `expected a property name in double quotes, found ${found(text, index)}${hint}`,
    );
  }

  private stringEnd(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      if (this.stringIsKey) {
        this.state = State.Colon;
        return index + 1;
      }
      return this.valueEnded(index + 1);
    }
    if (code === 0x5c) {
      this.state = State.Escape;
      return index + 1;
    }
    const name =
      code === 0x0a || code === 0x0d ? 'a line break' : `control character ${unicodeName(code)}`;
    throw this.error(index, `${name} inside a string must be escaped (write \\n for a line break)`);
  }

  private escape(text: string, index: number): number {
    const char = text[index] ?? '';
    if (char === 'u') {
      this.hexDigitsLeft = 4;
      this.state = State.Unicode;
      return index + 1;
    }
    if (!ESCAPES.has(char)) {
      throw this.error(
        index - 1,
        `invalid escape '\\${char}' in a string; JSON allows ` +
          '\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX',
      );
    }
    this.state = State.String;
    return index + 1;
  }

  private literalNext(text: string, index: number): number {
    if (text.charCodeAt(index) !== this.literal.charCodeAt(this.literalIndex)) {
      throw this.error(
        index,
        `invalid literal: expected '${this.literal}', found ${found(text, index)}`,
      );
    }
    this.literalIndex += 1;
    return this.literalIndex === this.literal.length ? this.valueEnded(index + 1) : index + 1;
  }

  private numberNext(text: string, index: number): number {
    const code = text.charCodeAt(index);
    const digit = code >= 0x30 && code <= 0x39;
    const exponent = code === 0x65 || code === 0x45;
    switch (this.state) {
      case State.Minus:
        if (!digit) {
          throw this.error(index, `expected a digit after '-', found ${found(text, index)}`);
        }
        this.state = code === 0x30 ? State.Zero : State.Integer;
        return index + 1;
      case State.Dot:
      case State.ExponentSign:
        if (!digit) {
          throw this.error(index, `expected a digit in the number, found ${found(text, index)}`);
        }
        this.state = this.state === State.Dot ? State.Fraction : State.ExponentDigits;
        return index + 1;
      case State.Exponent:
        if (code === 0x2b || code === 0x2d) {
          this.state = State.ExponentSign;
          return index + 1;
        }
        if (!digit) {
          throw this.error(index, `expected a digit in the exponent, found ${found(text, index)}`);
        }
        this.state = State.ExponentDigits;
        return index + 1;
      case State.Zero:
        if (digit) {
          throw this.error(index, 'a number must not start with 0 followed by more digits');
        }
        break;
      default:
        if (digit) {
          return index + 1;
        }
    }
    if (code === 0x2e && this.state !== State.Fraction && this.state !== State.ExponentDigits) {
      this.state = State.Dot;
      return index + 1;
    }
    if (exponent && this.state !== State.ExponentDigits) {
      this.state = State.Exponent;
      return index + 1;
    }
    // The number ended before this code unit, which the next state handles.
    return this.valueEnded(index);
  }

  private closeContainer(index: number): number {
    this.stack.pop();
    return this.valueEnded(index + 1);
  }

  /** Moves past a finished value; returns -(next + 1) when it was the outermost one. */
  private valueEnded(next: number): number {
    const top = this.stack[this.stack.length - 1];
    if (top === undefined) {
      this.state = State.Done;
      return -next - 1;
    }
    this.state = top === OBJECT ? State.ObjectNext : State.ArrayNext;
    return next;
  }

  private error(index: number, message: string): JsonSyntaxError {
    const position = this.position;
    return new JsonSyntaxError(
      position.line,
      position.column(index),
      position.base + index,
      message,
    );
  }
}

/**
 * Returns the first syntax error of a text that must hold exactly one JSON value, or undefined
 * when it has none. Lines and columns count from the start of the text.
 */
export function findJsonError(text: string): JsonSyntaxError | undefined {
  const position = new TextPosition();
  const scanner = new JsonValueScanner(position);
  try {
    let end = scanner.scan(text, 0);
    if (end === -1) {
      scanner.finish(text.length);
      end = text.length;
    }
    for (let index = end; index < text.length; index += 1) {
      const code = text.charCodeAt(index);
      if (code === 0x0a) {
        position.newline(index);
      } else if (!isWhitespace(code)) {
        return new JsonSyntaxError(
          position.line,
          position.column(index),
          index,
          `unexpected ${found(text, index)} after the end of the JSON value`,
        );
      }
    }
    return undefined;
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return error;
    }
    throw error;
  }
}

export function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isHexDigit(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x46) ||
    (code >= 0x61 && code <= 0x66)
  );
}

function valueHint(code: number): string {
  if (code === 0x27) {
    return ' (JSON strings use double quotes)';
  }
  if (code === 0x54 || code === 0x46 || code === 0x4e) {
    return ' (JSON literals are lowercase: true, false, null)';
  }
  return '';
}

function endMessage(state: State, stack: number[]): string {
  if (state >= State.String && state <= State.Unicode) {
    return "the input ends inside a string; a closing '\"' is missing";
  }
  const top = stack[stack.length - 1];
  if (top === undefined) {
    return state === State.Value
      ? 'expected a value, found the end of the input'
      : 'the input ends inside a value';
  }
  return top === OBJECT
    ? "the input ends inside an object; a closing '}' is missing"
    : "the input ends inside an array; a closing ']' is missing";
}
