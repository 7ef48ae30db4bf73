import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut } from '../testing/chunking.js';
import { JsonSyntaxError, JsonValueScanner, findJsonError } from './jsonScanner.js';
import { TextPosition } from './textPosition.js';

/** Scans a value fed in chunks; returns the end offset, or the error. */
function scanChunks(chunks: string[]): number | JsonSyntaxError {
  const position = new TextPosition();
  const scanner = new JsonValueScanner(position);
  try {
    for (const chunk of chunks) {
      const end = scanner.scan(chunk, 0);
      if (end !== -1) {
        return position.base + end;
      }
      position.base += chunk.length;
    }
    scanner.finish(0);
    return position.base;
  } catch (error) {
    if (error instanceof JsonSyntaxError) {
      return error;
    }
    throw error;
  }
}

describe('JSON scanner', () => {
  const valid = [
    '{}',
    '[]',
    '{"a": [1, -2.5e+3, 0, 0.5, 1E9, true, false, null], "b": {"c": "d"}}',
    '"esc \\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00"',
    '  \n\t\r {"nested": [[[{}]]]}  ',
    '-0',
    '"思考 😀"',
  ];

  for (const text of valid) {
    test(`accepts what JSON.parse accepts: ${JSON.stringify(text).slice(0, 40)}`, () => {
      assert.doesNotThrow(() => JSON.parse(text));
      assert.equal(findJsonError(text), undefined);
    });
  }

  /** Invalid text, the 1-based line and column of the error, and the start of its message. */
  const invalid: [string, number, number, string][] = [
    [
      '{"a": 1 "b": 2}',
      1,
      9,
      `expected ',' or '}' after a property value, found '"' (is a comma missing?)`,
    ],
    ['{"a": 1,}', 1, 9, "a comma before '}' is not allowed in JSON; remove it"],
    ['[1, 2,]', 1, 7, "a comma before ']' is not allowed in JSON; remove it"],
    [
      "{'a': 1}",
      1,
      2,
      "expected a property name in double quotes, found ''' (JSON strings use double quotes)",
    ],
    [
      '{"a": True}',
      1,
      7,
      "expected a value, found 'T' (JSON literals are lowercase: true, false, null)",
    ],
    ['{"a": tru}', 1, 10, "invalid literal: expected 'true', found '}'"],
    ['{"a" 1}', 1, 6, "expected ':' after a property name, found '1'"],
    ['{\n  "a": "line\nbreak"\n}', 2, 13, 'a line break inside a string must be escaped'],
    ['"bad \\x escape"', 1, 6, "invalid escape '\\x' in a string"],
    ['"\\u12G4"', 1, 6, "a \\u escape needs 4 hex digits, found 'G'"],
    ['[01]', 1, 3, 'a number must not start with 0 followed by more digits'],
    ['[1.]', 1, 4, "expected a digit in the number, found ']'"],
    ['[-]', 1, 3, "expected a digit after '-', found ']'"],
    ['[1e]', 1, 4, "expected a digit in the exponent, found ']'"],
    ['{"a": [1, 2}', 1, 12, `expected ',' or ']' after an array element, found '}'`],
    ['{"a": "open', 1, 12, `the input ends inside a string; a closing '"' is missing`],
    ['{"a": [1', 1, 9, "the input ends inside an array; a closing ']' is missing"],
    ['{"a": 1', 1, 8, "the input ends inside an object; a closing '}' is missing"],
    ['', 1, 1, 'expected a value, found the end of the input'],
    ['{"a": 1} x', 1, 10, "unexpected 'x' after the end of the JSON value"],
    ['{"a": "\u0001"}', 1, 8, 'control character U+0001 inside a string must be escaped'],
  ];

  for (const [text, line, column, message] of invalid) {
    test(`locates the error in ${JSON.stringify(text)}`, () => {
      assert.throws(() => JSON.parse(text));

      const error = findJsonError(text);

      assert.ok(error !== undefined);
      assert.equal(error.line, line);
      assert.equal(error.column, column);
      assert.ok(error.message.startsWith(message), error.message);
    });
  }

  test('same result at every cut offset', () => {
    const texts = ['{"a": [1, 23.5e-1, "x\\u00e9y"], "b": null} ', '{"a": 1 "b"}', '123 '];
    for (const text of texts) {
      const whole = scanChunks([text]);
      for (const cut of everyCut(text)) {
        const result = scanChunks(cut.chunks);
        if (whole instanceof JsonSyntaxError) {
          assert.ok(result instanceof JsonSyntaxError, `cut at ${cut.offset}`);
          assert.deepEqual(
            [result.line, result.column, result.message],
            [whole.line, whole.column, whole.message],
          );
        } else {
          assert.equal(result, whole, `${text} cut at ${cut.offset}`);
        }
      }
    }
  });

  test('rejects nesting deeper than 1000 levels', () => {
    const error = findJsonError('['.repeat(1001) + ']'.repeat(1001));

    assert.equal(error?.column, 1001);
    assert.match(error?.message ?? '', /nested deeper than 1000 levels/);
  });
});
