import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut } from '../testing/chunking.js';
import { JsonArrayReader } from './jsonArrayReader.js';
import { CollectingSink, type SinkEvent } from './testing/collectingSink.js';

function read(chunks: string[], maxRecordChars = 1000): SinkEvent[] {
  const sink = new CollectingSink();
  const reader = new JsonArrayReader(sink, maxRecordChars);
  for (const chunk of chunks) {
    reader.write(chunk);
  }
  reader.end();
  return sink.events;
}

/** Returns the events with record values and texts left out, for short expectations. */
function outline(events: SinkEvent[]): string[] {
  return events.map((event) =>
    event.kind === 'record'
      ? `record ${event.line}:${event.column ?? ''} ${event.text}`
      : `${event.kind} ${event.line}:${event.column ?? ''} ${event.message}`,
  );
}

describe('JSON array reader', () => {
  const cases: [string, string, string[]][] = [
    [
      'records on their own lines',
      '[\n  {"a": 1},\n  {"b": [2, 3]}\n]\n',
      ['record 2:3 {"a": 1}', 'record 3:3 {"b": [2, 3]}'],
    ],
    [
      'numbers and strings as records',
      '[1, "x", 2.5]',
      ['record 1:2 1', 'record 1:5 "x"', 'record 1:10 2.5'],
    ],
    [
      'broken record skipped to its end',
      '[{"a": 1 "b": 2}, {"c": [3]}, {"d": 4}]',
      [
        `invalid 1:10 Invalid JSON: expected ',' or '}' after a property value, found '"' (is a comma missing?).`,
        'record 1:19 {"c": [3]}',
        'record 1:31 {"d": 4}',
      ],
    ],
    [
      'raw line break in a string skipped',
      '[{"a": "x\ny"},\n{"b": 1}]',
      [
        'invalid 1:10 Invalid JSON: a line break inside a string must be escaped (write \\n for a line break).',
        'record 3:1 {"b": 1}',
      ],
    ],
    [
      'missing comma between records',
      '[{"a": 1}\n{"b": 2}]',
      [
        "file 2:1 Expected ',' or ']' after record 1, found '{'. Is a comma missing between two records?",
        'record 1:2 {"a": 1}',
        'record 2:1 {"b": 2}',
      ],
    ],
    [
      'trailing comma',
      '[{"a": 1},]',
      [
        'record 1:2 {"a": 1}',
        "file 1:11 A comma before the closing ']' is not allowed in JSON. Remove it.",
      ],
    ],
    [
      'object instead of an array',
      '{"a": 1}\n{"a": 2}\n',
      [
        "file 1:1 A JSON dataset must be one array of records, but the file starts with '{' instead of '['. The file holds an object: put the records in one array ([{...}, {...}]), or save one record per line in a .jsonl file.",
      ],
    ],
    [
      'missing closing bracket',
      '[{"a": 1},\n{"b": 2',
      [
        'record 1:2 {"a": 1}',
        "invalid 2:8 Invalid JSON: the input ends inside an object; a closing '}' is missing.",
        "file 2:8 The file ends before the closing ']' of the array of records. Add the ']' (and any missing closing brackets) at the end.",
      ],
    ],
    [
      'text after the array',
      '[1] 2',
      [
        'record 1:2 1',
        "file 1:5 Unexpected '2' after the closing ']' of the array of records. A JSON dataset holds one array; remove the text after it.",
      ],
    ],
    [
      'record too long',
      '[{"a": "0123456789"}, 2]',
      [
        'invalid 1:2 The record has 19 characters, more than the limit of 10 characters per record, so it was skipped. Split it into shorter records.',
        'record 1:23 2',
      ],
    ],
  ];

  for (const [name, text, expected] of cases) {
    test(`${name}, cut at every offset`, () => {
      for (const cut of everyCut(text)) {
        const events = read(cut.chunks, name === 'record too long' ? 10 : 1000);
        // Errors are reported when found, before the record that follows; sort them for the outline.
        assert.deepEqual(outline(events).sort(), [...expected].sort(), `cut at ${cut.offset}`);
      }
    });
  }

  test('parses each record once whole', () => {
    const events = read(['[{"a": [1, {"b": "c"}]}, null]']);

    assert.deepEqual(
      events.map((event) => (event.kind === 'record' ? event.value : event.kind)),
      [{ a: [1, { b: 'c' }] }, null],
    );
  });
});
