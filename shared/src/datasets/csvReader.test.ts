import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut } from '../testing/chunking.js';
import { CsvReader } from './csvReader.js';
import { CollectingSink, type SinkEvent } from './testing/collectingSink.js';

function read(chunks: string[], maxRecordChars = 1000): SinkEvent[] {
  const sink = new CollectingSink();
  const reader = new CsvReader(sink, maxRecordChars);
  for (const chunk of chunks) {
    reader.write(chunk);
  }
  reader.end();
  return sink.events;
}

/** Returns records as `line: value` and problems as `kind line:column message`. */
function outline(events: SinkEvent[]): string[] {
  return events.map((event) =>
    event.kind === 'record'
      ? `${event.line}: ${JSON.stringify(event.value)}`
      : `${event.kind} ${event.line}:${event.column ?? ''} ${event.message}`,
  );
}

describe('CSV reader', () => {
  const cases: [string, string, string[]][] = [
    ['plain rows', 'a,b\n1,2\n3,4\n', ['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}']],
    [
      'CRLF rows and no final newline',
      'a,b\r\n1,2\r\n3,4',
      ['2: {"a":"1","b":"2"}', '3: {"a":"3","b":"4"}'],
    ],
    ['quoted comma', 'a,b\n"x, y",z\n', ['2: {"a":"x, y","b":"z"}']],
    ['doubled quotes', 'a\n"say ""hi"""\n', ['2: {"a":"say \\"hi\\""}']],
    [
      'line breaks inside quotes',
      'a,b\n"one\r\ntwo\nthree",x\nnext,y\n',
      ['2: {"a":"one\\r\\ntwo\\nthree","b":"x"}', '5: {"a":"next","b":"y"}'],
    ],
    [
      'empty fields',
      'a,b,c\n,,\n"",x,\n',
      ['2: {"a":"","b":"","c":""}', '3: {"a":"","b":"x","c":""}'],
    ],
    ['blank lines skipped', 'a\n\nx\n\n', ['3: {"a":"x"}']],
    ['quoted empty field is a record', 'a\n""\n', ['2: {"a":""}']],
    ['lone CR kept in a field', 'a\nx\ry\n', ['2: {"a":"x\\ry"}']],
    [
      'wrong number of fields',
      'a,b\n1,2,3\n4,5\n',
      [
        'invalid 2: The row has 3 fields but the header has 2 ("a", "b"). Quote any field that contains a comma.',
        '3: {"a":"4","b":"5"}',
      ],
    ],
    [
      'quote inside an unquoted field',
      'a\nsay "hi"\nok\n',
      [
        'invalid 2:5 A quote inside an unquoted field is not allowed in CSV (RFC 4180). Put the whole field in quotes and double each quote inside it ("").',
        '3: {"a":"ok"}',
      ],
    ],
    [
      'text after a closing quote',
      'a\n"x"y\nok\n',
      [
        'invalid 2:4 Text after the closing quote of a field must be a comma or a line break. Double any quote inside a quoted field ("").',
        '3: {"a":"ok"}',
      ],
    ],
    [
      'unclosed quote',
      'a\n"never closed\nok\n',
      [
        'invalid 2: The file ends inside a quoted field of the row that starts on line 2. Add the closing quote.',
      ],
    ],
    [
      'duplicate header',
      'a,a\n1,2\n',
      ['file 1: The CSV header names column "a" twice.', '2: {"a":"2"}'],
    ],
    [
      'empty header name',
      'a,\n1,2\n',
      ['file 1: Column 2 of the CSV header has no name.', '2: {"a":"1","":"2"}'],
    ],
    [
      'row too long',
      'a\n0123456789abcdef\nok\n',
      [
        'invalid 2: The record has 16 characters, more than the limit of 10 characters per record, so it was skipped. Split it into shorter records.',
        '3: {"a":"ok"}',
      ],
    ],
    [
      'tab-separated file',
      'instruction\toutput\nSay hi\tHi\n',
      [
        'file 1: The CSV header has one column, "instruction\\toutput", which contains tabs: the file looks tab-separated, but CSV columns are separated by commas. Save it as comma-separated values, or convert it to JSONL, and upload it again.',
        '2: {"instruction\\toutput":"Say hi\\tHi"}',
      ],
    ],
    [
      'tab-separated row',
      'instruction,output\nSay hi\tHi\n',
      [
        'invalid 2: The row has 1 field but the header has 2 ("instruction", "output"). The row contains tabs, so it looks tab-separated; separate the fields with commas.',
      ],
    ],
  ];

  for (const [name, text, expected] of cases) {
    test(`${name}, cut at every offset`, () => {
      for (const cut of everyCut(text)) {
        const limit = name === 'row too long' ? 10 : 1000;
        assert.deepEqual(outline(read(cut.chunks, limit)), expected, `cut at ${cut.offset}`);
      }
    });
  }

  test('keeps a header named __proto__ as a plain key', () => {
    const events = read(['__proto__,b\n1,2\n']);

    const record = events[0]?.kind === 'record' ? (events[0].value as Record<string, unknown>) : {};
    assert.deepEqual(Object.keys(record), ['__proto__', 'b']);
    assert.equal(Object.getPrototypeOf(record), Object.prototype);
  });
});
