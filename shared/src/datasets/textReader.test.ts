import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut } from '../testing/chunking.js';
import { TEXT_MODE_SAMPLE_CHARS, PlainTextReader, detectTextMode } from './textReader.js';
import { CollectingSink } from './testing/collectingSink.js';
import type { TextMode } from './types.js';

function read(chunks: string[], mode: TextMode | 'auto', maxRecordChars = 1000) {
  const sink = new CollectingSink();
  const reader = new PlainTextReader(sink, maxRecordChars, mode);
  for (const chunk of chunks) {
    reader.write(chunk);
  }
  reader.end();
  const records = sink.events.map((event) =>
    event.kind === 'record'
      ? `${event.line}: ${(event.value as { text: string }).text}`
      : `${event.kind} ${event.line}`,
  );
  return { records, mode: reader.mode };
}

describe('text mode detection', () => {
  const cases: [string, string, TextMode][] = [
    ['one document per line', 'first doc\nsecond doc\nthird doc\n', 'line'],
    ['double-spaced lines', 'first doc\n\nsecond doc\n\nthird doc\n', 'line'],
    ['wrapped paragraphs', 'one a\none b\n\ntwo a\ntwo b\ntwo c\n', 'paragraph'],
    ['paragraphs with blank lines of spaces', 'a\nb\n  \nc\nd\n', 'paragraph'],
    ['a single paragraph', 'a\nb\nc\n', 'line'],
    ['empty text', '', 'line'],
  ];

  for (const [name, sample, expected] of cases) {
    test(name, () => {
      assert.equal(detectTextMode(sample), expected);
    });
  }
});

describe('plain text reader', () => {
  test('line mode skips blank lines, cut at every offset', () => {
    const text = 'first\r\n\n  \nsecond\nthird';
    for (const cut of everyCut(text)) {
      assert.deepEqual(
        read(cut.chunks, 'line').records,
        ['1: first', '4: second', '5: third'],
        `cut at ${cut.offset}`,
      );
    }
  });

  test('paragraph mode joins lines, cut at every offset', () => {
    const text = '\none a\r\none b\n\n\ntwo a\n';
    for (const cut of everyCut(text)) {
      assert.deepEqual(
        read(cut.chunks, 'paragraph').records,
        ['2: one a\none b', '6: two a'],
        `cut at ${cut.offset}`,
      );
    }
  });

  test('auto mode decides from the sample', () => {
    assert.deepEqual(read(['a\nb\n\nc\nd\n'], 'auto'), {
      records: ['1: a\nb', '4: c\nd'],
      mode: 'paragraph',
    });
    assert.deepEqual(read(['a\nb\nc\n'], 'auto'), {
      records: ['1: a', '2: b', '3: c'],
      mode: 'line',
    });
  });

  test('auto mode looks only at the first 64 Ki characters', () => {
    const lines = 'x'.repeat(99) + '\n';
    const text = lines.repeat(Math.ceil(TEXT_MODE_SAMPLE_CHARS / 100) + 1) + 'p\nq\n\nr\ns\n';

    const result = read([text], 'auto');

    assert.equal(result.mode, 'line');
    assert.equal(result.records.length, Math.ceil(TEXT_MODE_SAMPLE_CHARS / 100) + 1 + 4);
  });

  test('paragraph over the limit is reported once', () => {
    const result = read(['ok\n\n0123456789\nabcdef\n\nend\n'], 'paragraph', 10);

    assert.deepEqual(result.records, ['1: ok', 'invalid 3', '6: end']);
  });
});
