import { createScanner, parseTree, type Node, type ParseError } from 'jsonc-parser';
import type { DiagnosticSink } from './diagnostics.js';

/**
 * Nesting depth at which a JSON prompt is rejected before parsing. A message array needs about
 * five levels, and the parser recurses once per level, so deep input could exhaust the stack.
 */
const MAX_JSON_DEPTH = 64;

// jsonc-parser's SyntaxKind and ParseErrorCode are const enums, which isolated modules cannot
// import, so the values used here are spelled out.
const OPEN_BRACE_TOKEN = 1;
const OPEN_BRACKET_TOKEN = 3;
const CLOSE_BRACE_TOKEN = 2;
const CLOSE_BRACKET_TOKEN = 4;
const END_OF_FILE_TOKEN = 17;

const PROPERTY_NAME_EXPECTED = 3;
const VALUE_EXPECTED = 4;
const COMMA_EXPECTED = 6;

const SYNTAX_MESSAGES: Record<number, string> = {
  1:
    'Unexpected character; JSON has only objects, arrays, "double-quoted" strings, numbers, ' +
    'true, false and null.',
  2: 'Invalid number; write numbers such as 12, -3.5 or 1e3.',
  3: 'Expected a property name in double quotes, such as "role".',
  4: 'Expected a value: an object, array, string, number, true, false or null.',
  5: 'Expected ":" after the property name.',
  6: 'Expected "," between two items.',
  7: 'Expected "}" to close the object.',
  8: 'Expected "]" to close the array.',
  9: 'Unexpected text after the end of the JSON value; remove it or move it inside the array.',
  10: 'Comments are not allowed in JSON; remove the comment.',
  11: 'This comment is not closed; end it with */ or remove it.',
  12: 'This string is not closed; add the closing double quote.',
  13: 'This number is not complete; add its missing digits.',
  14: 'Invalid \\u escape; write four hex digits, such as \\u00e9.',
  15: 'Invalid escape sequence; use \\n, \\t, \\", \\\\, \\/ or \\uXXXX.',
  16: 'Line breaks and other control characters must be escaped in strings; write \\n or \\t.',
};

/**
 * Parses JSON text into a tree, reporting syntax errors at their exact span. Returns undefined
 * when the text is empty, too deeply nested, or not valid JSON.
 */
export function parseJsonTree(text: string, sink: DiagnosticSink): Node | undefined {
  if (!checkDepth(text, sink)) {
    return undefined;
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const reported = new Set<number>();
  for (const error of errors) {
    if (!reported.has(error.offset)) {
      reported.add(error.offset);
      reportSyntaxError(text, error, sink);
    }
  }
  return errors.length > 0 ? undefined : root;
}

function checkDepth(text: string, sink: DiagnosticSink): boolean {
  const scanner = createScanner(text, true);
  let depth = 0;
  for (let token: number = scanner.scan(); token !== END_OF_FILE_TOKEN; token = scanner.scan()) {
    if (token === OPEN_BRACE_TOKEN || token === OPEN_BRACKET_TOKEN) {
      depth++;
      if (depth > MAX_JSON_DEPTH) {
        const offset = scanner.getTokenOffset();
        sink.error(
          'nesting-too-deep',
          { start: offset, end: offset + 1 },
          `JSON is nested more than ${MAX_JSON_DEPTH} levels deep here; a prompt is an array ` +
            'of messages and needs only a few levels.',
        );
        return false;
      }
    } else if (token === CLOSE_BRACE_TOKEN || token === CLOSE_BRACKET_TOKEN) {
      depth = Math.max(0, depth - 1);
    }
  }
  return true;
}

function reportSyntaxError(text: string, error: ParseError, sink: DiagnosticSink): void {
  const code: number = error.error;
  const start = error.offset;
  const end = error.offset + Math.max(error.length, 0);
  const comma = previousNonSpace(text, start);
  const closing = text[start] === '}' || text[start] === ']';
  const expectsItem = code === PROPERTY_NAME_EXPECTED || code === VALUE_EXPECTED;
  if (expectsItem && closing && comma !== undefined && text[comma] === ',') {
    sink.error(
      'invalid-json',
      { start: comma, end: comma + 1 },
      'Trailing comma; JSON does not allow a comma before a closing bracket, so remove it.',
      {
        title: 'Remove the trailing comma',
        edits: [{ start: comma, end: comma + 1, newText: '' }],
      },
    );
    return;
  }
  if (code === COMMA_EXPECTED && comma !== undefined && comma + 1 < start) {
    sink.error('invalid-json', { start: start, end: end }, SYNTAX_MESSAGES[COMMA_EXPECTED] ?? '', {
      title: 'Insert ","',
      edits: [{ start: comma + 1, end: comma + 1, newText: ',' }],
    });
    return;
  }
  let message = SYNTAX_MESSAGES[code] ?? 'Invalid JSON.';
  if (text[start] === "'") {
    message = 'JSON strings use double quotes; replace the single quotes with ".';
  }
  sink.error('invalid-json', { start: start, end: end }, message);
}

function previousNonSpace(text: string, offset: number): number | undefined {
  for (let index = offset - 1; index >= 0; index--) {
    if (!/\s/.test(text[index] ?? '')) {
      return index;
    }
  }
  return undefined;
}
