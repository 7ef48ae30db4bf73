import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NdjsonError, NdjsonSplitter } from './ndjson.js';

function parse(chunks: string[]): unknown[] {
  const splitter = new NdjsonSplitter();
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

describe('NDJSON splitter', () => {
  const cases: [string, string, unknown[]][] = [
    ['one line', '{"a":1}\n', [{ a: 1 }]],
    ['several lines', '{"a":1}\n{"a":2}\n{"done":true}\n', [{ a: 1 }, { a: 2 }, { done: true }]],
    ['last line without newline', '{"a":1}\n{"a":2}', [{ a: 1 }, { a: 2 }]],
    ['CRLF lines', '{"a":1}\r\n{"a":2}\r\n', [{ a: 1 }, { a: 2 }]],
    ['blank lines skipped', '\n{"a":1}\n\n', [{ a: 1 }]],
    ['multibyte text', '{"t":"思考"}\n', [{ t: '思考' }]],
    ['newline inside a string escape', '{"t":"a\\nb"}\n', [{ t: 'a\nb' }]],
  ];

  for (const [name, stream, expected] of cases) {
    test(`parses ${name} cut at every offset`, () => {
      for (let cut = 0; cut <= stream.length; cut++) {
        assert.deepEqual(parse([stream.slice(0, cut), stream.slice(cut)]), expected, `cut ${cut}`);
      }
    });
  }

  test('bad line names its number', () => {
    const splitter = new NdjsonSplitter();

    assert.throws(
      () => splitter.push('{"a":1}\n{oops}\n'),
      (error: unknown) =>
        error instanceof NdjsonError && error.line === 2 && /\{oops\}/.test(error.message),
    );
  });
});
