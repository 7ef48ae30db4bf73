import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut } from '../testing/chunking.js';
import { LineSplitter } from './lineSplitter.js';

type Event = ['line', string, number] | ['tooLong', number, number];

function split(chunks: string[], maxLineChars = 10): Event[] {
  const events: Event[] = [];
  const splitter = new LineSplitter(maxLineChars, {
    line: (text, lineNumber) => events.push(['line', text, lineNumber]),
    tooLong: (lineNumber, length) => events.push(['tooLong', lineNumber, length]),
  });
  for (const chunk of chunks) {
    splitter.push(chunk);
  }
  splitter.end();
  return events;
}

describe('LineSplitter', () => {
  const cases: [string, string, Event[]][] = [
    [
      'LF lines',
      'a\nbb\n',
      [
        ['line', 'a', 1],
        ['line', 'bb', 2],
      ],
    ],
    [
      'CRLF lines',
      'a\r\nbb\r\n',
      [
        ['line', 'a', 1],
        ['line', 'bb', 2],
      ],
    ],
    [
      'last line without newline',
      'a\nbb',
      [
        ['line', 'a', 1],
        ['line', 'bb', 2],
      ],
    ],
    [
      'blank lines kept',
      '\n\na\n',
      [
        ['line', '', 1],
        ['line', '', 2],
        ['line', 'a', 3],
      ],
    ],
    ['lone CR kept', 'a\rb\n', [['line', 'a\rb', 1]]],
    ['line at the limit', '0123456789\n', [['line', '0123456789', 1]]],
    [
      'line at the limit with CRLF',
      '0123456789\r\nx',
      [
        ['line', '0123456789', 1],
        ['line', 'x', 2],
      ],
    ],
    [
      'line one over the limit',
      '0123456789a\nx\n',
      [
        ['tooLong', 1, 11],
        ['line', 'x', 2],
      ],
    ],
    [
      'long line with CRLF',
      'x\n0123456789abcdef\r\ny',
      [
        ['line', 'x', 1],
        ['tooLong', 2, 16],
        ['line', 'y', 3],
      ],
    ],
    [
      'long last line',
      'x\n0123456789abcdef',
      [
        ['line', 'x', 1],
        ['tooLong', 2, 16],
      ],
    ],
  ];

  for (const [name, text, expected] of cases) {
    test(`${name}, cut at every offset`, () => {
      for (const cut of everyCut(text)) {
        assert.deepEqual(split(cut.chunks), expected, `cut at ${cut.offset}`);
      }
    });
  }

  test('keeps at most the limit of a 50 MB line', () => {
    const limit = 1_000_000;
    const events: Event[] = [];
    const splitter = new LineSplitter(limit, {
      line: (text, lineNumber) => events.push(['line', text, lineNumber]),
      tooLong: (lineNumber, length) => events.push(['tooLong', lineNumber, length]),
    });
    const chunk = 'a'.repeat(65_536);
    let maxBuffered = 0;

    splitter.push('first\n');
    for (let sent = 0; sent < 50 * 1024 * 1024; sent += chunk.length) {
      splitter.push(chunk);
      maxBuffered = Math.max(maxBuffered, splitter.bufferedChars);
    }
    splitter.push('\nlast\n');
    splitter.end();

    assert.ok(maxBuffered <= limit + 1, `held ${maxBuffered} code units`);
    assert.deepEqual(events, [
      ['line', 'first', 1],
      ['tooLong', 2, 50 * 1024 * 1024],
      ['line', 'last', 3],
    ]);
  });
});
