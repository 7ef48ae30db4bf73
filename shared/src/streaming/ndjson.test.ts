import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut, randomChunks, singleUnits } from '../testing/chunking.js';
import { NdjsonError, NdjsonSplitter } from './ndjson.js';

const encoder = new TextEncoder();

function parse(chunks: (string | Uint8Array)[]): unknown[] {
  const splitter = new NdjsonSplitter();
  return [...chunks.flatMap((chunk) => splitter.push(chunk)), ...splitter.end()];
}

/** Runs a stream to its end and returns the error it raised. */
function parseError(chunks: (string | Uint8Array)[]): NdjsonError {
  try {
    parse(chunks);
  } catch (error) {
    assert.ok(error instanceof NdjsonError, `expected an NdjsonError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected an NdjsonError, but the stream parsed');
}

/** Streams with the values they must produce, whole and however they are cut. */
const cases: [string, string, unknown[]][] = [
  ['one line', '{"a":1}\n', [{ a: 1 }]],
  ['several lines', '{"a":1}\n{"a":2}\n{"done":true}\n', [{ a: 1 }, { a: 2 }, { done: true }]],
  ['last line without newline', '{"a":1}\n{"a":2}', [{ a: 1 }, { a: 2 }]],
  ['CRLF lines', '{"a":1}\r\n{"a":2}\r\n', [{ a: 1 }, { a: 2 }]],
  ['CRLF on the last line', '{"a":1}\r\n{"a":2}\r', [{ a: 1 }, { a: 2 }]],
  ['blank lines skipped', '\n{"a":1}\n\n\r\n  \t\n{"a":2}\n\n', [{ a: 1 }, { a: 2 }]],
  ['spaces around a value', '  {"a":1}  \n', [{ a: 1 }]],
  ['scalar values', '1\n"two"\nnull\ntrue\n[3]\n', [1, 'two', null, true, [3]]],
  ['two-byte characters', '{"t":"café"}\n', [{ t: 'café' }]],
  ['three-byte characters', '{"t":"思考"}\n{"t":"…"}\n', [{ t: '思考' }, { t: '…' }]],
  ['four-byte characters', '{"t":"😀🚀"}\n', [{ t: '😀🚀' }]],
  ['newline inside a string escape', '{"t":"a\\nb"}\n', [{ t: 'a\nb' }]],
  ['leading BOM dropped', '\uFEFF{"a":1}\n', [{ a: 1 }]],
  ['empty stream', '', []],
  [
    'Ollama chat chunks',
    '{"message":{"role":"assistant","content":"","thinking":"嗯"},"done":false}\n' +
      '{"message":{"role":"assistant","content":"Hi"},"done":false}\n' +
      '{"done":true,"done_reason":"stop","eval_count":2}\n',
    [
      { message: { role: 'assistant', content: '', thinking: '嗯' }, done: false },
      { message: { role: 'assistant', content: 'Hi' }, done: false },
      { done: true, done_reason: 'stop', eval_count: 2 },
    ],
  ],
];

/** Streams with a bad line: its 1-based number and the excerpt the message quotes. */
const badCases: [string, string, number, string][] = [
  ['bad second line', '{"a":1}\n{oops}\n', 2, '{oops}'],
  ['bad line after blank lines', '\n\n{"a":1}\r\n\r\nnope\r\n{"a":2}\n', 5, 'nope'],
  ['bad last line without newline', '{"a":1}\n{"a":', 2, '{"a":'],
  ['truncated multibyte value', '{"t":"思"}\n{"t":"考', 2, '{"t":"考'],
  ['two values on one line', '{"a":1}{"a":2}\n', 1, '{"a":1}{"a":2}'],
  ['long bad line', `{"t":"${'x'.repeat(200)}"\n`, 1, `{"t":"${'x'.repeat(74)}…`],
];

describe('NDJSON splitter', () => {
  for (const [name, stream, expected] of cases) {
    const bytes = encoder.encode(stream);

    test(`parses ${name}`, () => {
      assert.deepEqual(parse([bytes]), expected, 'bytes in one chunk');
      assert.deepEqual(parse([stream]), expected, 'text in one chunk');
    });

    test(`parses ${name} cut at every byte`, () => {
      const whole = parse([bytes]);
      for (const { offset, chunks } of everyCut(bytes)) {
        const values = parse(chunks);
        assert.deepEqual(values, whole, `cut at byte ${offset}, against one chunk`);
        assert.deepEqual(values, expected, `cut at byte ${offset}`);
      }
    });

    test(`parses ${name} in random chunks`, () => {
      const whole = parse([bytes]);
      const chunkings = [singleUnits(bytes)];
      for (let seed = 1; seed <= 30; seed++) {
        chunkings.push(randomChunks(bytes, seed, { min: 1, max: 6 }));
      }
      for (const [index, chunks] of chunkings.entries()) {
        const values = parse(chunks);
        assert.deepEqual(values, whole, `chunking ${index}, against one chunk`);
        assert.deepEqual(values, expected, `chunking ${index}`);
      }
    });

    test(`parses ${name} as text cut at every offset`, () => {
      for (const { offset, chunks } of everyCut(stream)) {
        assert.deepEqual(parse(chunks), expected, `cut at ${offset}`);
      }
    });
  }

  for (const [name, stream, line, excerpt] of badCases) {
    const bytes = encoder.encode(stream);

    test(`rejects ${name}`, () => {
      const error = parseError([bytes]);

      assert.equal(error.line, line);
      assert.equal(error.excerpt, excerpt);
      assert.ok(
        error.message.startsWith(`Line ${line} of the NDJSON stream is not valid JSON (`),
        error.message,
      );
      assert.ok(error.message.includes(JSON.stringify(excerpt)), error.message);
    });

    test(`rejects ${name} cut at every byte`, () => {
      const whole = parseError([bytes]);
      for (const { offset, chunks } of everyCut(bytes)) {
        const error = parseError(chunks);
        assert.equal(error.line, line, `cut at byte ${offset}`);
        assert.equal(error.message, whole.message, `cut at byte ${offset}`);
      }
    });
  }

  test('returns values as soon as their newline arrives', () => {
    const splitter = new NdjsonSplitter();

    assert.deepEqual(splitter.push('{"a":'), []);
    assert.deepEqual(splitter.push('1}\n{"b"'), [{ a: 1 }]);
    assert.deepEqual(splitter.push(':2}\n'), [{ b: 2 }]);
    assert.deepEqual(splitter.end(), []);
  });

  test('bad line rejects its whole chunk', () => {
    const splitter = new NdjsonSplitter();

    assert.deepEqual(splitter.push('{"a":1}\n'), [{ a: 1 }]);
    assert.throws(() => splitter.push('{"a":2}\n{bad}\n'), { name: 'NdjsonError', line: 3 });
  });

  test('splitter keeps failing after a bad line', () => {
    const splitter = new NdjsonSplitter();
    assert.throws(() => splitter.push('{bad}\n'), NdjsonError);

    assert.throws(() => splitter.push('{"a":1}\n'), { name: 'NdjsonError', line: 1 });
    assert.throws(() => splitter.end(), { name: 'NdjsonError', line: 1 });
  });

  test('excerpt keeps a surrogate pair whole', () => {
    const line = `${'x'.repeat(79)}😀${'y'.repeat(10)}`;

    const error = parseError([`${line}\n`]);

    assert.equal(error.excerpt, `${'x'.repeat(79)}…`);
    assert.equal(error.text, line);
  });

  test('character cut at the end becomes U+FFFD', () => {
    const bytes = encoder.encode('"思"\n"考');

    assert.throws(() => parse([bytes.subarray(0, bytes.length - 1)]), {
      name: 'NdjsonError',
      line: 2,
      excerpt: '"\uFFFD',
    });
  });

  test('invalid UTF-8 becomes U+FFFD', () => {
    const bytes = Uint8Array.of(...encoder.encode('"a'), 0xff, ...encoder.encode('b"\n'));

    assert.deepEqual(parse([bytes]), ['a\uFFFDb']);
  });

  test('long line in small chunks stays linear', () => {
    // Splitting the whole held line again on every push made this take seconds.
    const value = 'x'.repeat(1_000_000);
    const stream = `${JSON.stringify({ t: value })}\n`;
    const started = performance.now();
    const values = parse(randomChunks(stream, 1, { min: 32, max: 96 }));
    const elapsedMs = performance.now() - started;

    assert.deepEqual(values, [{ t: value }]);
    assert.ok(elapsedMs < 2000, `took ${Math.round(elapsedMs)} ms`);
  });
});
