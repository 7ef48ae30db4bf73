import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunkings, utf8, validateChunks, validateWhole } from './testing/feed.js';
import type { DatasetReport, DatasetValidatorOptions } from './types.js';
import { createDatasetValidator } from './validator.js';

/** Validates the input whole, then asserts that every chunking of it yields the same report. */
function validateEveryWay(
  input: Uint8Array | string,
  options: DatasetValidatorOptions,
): DatasetReport {
  const bytes = typeof input === 'string' ? utf8(input) : input;
  const whole = validateWhole(bytes, options);
  for (const chunking of chunkings(bytes)) {
    assert.deepEqual(validateChunks(chunking.chunks, options), whole, chunking.name);
  }
  return whole;
}

function concat(...parts: (Uint8Array | string)[]): Uint8Array {
  const arrays = parts.map((part) => (typeof part === 'string' ? utf8(part) : part));
  const bytes = new Uint8Array(arrays.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of arrays) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

const alpaca = (instruction: string, output: string) =>
  JSON.stringify({ instruction, input: '', output });

describe('dataset validator hard cases', () => {
  test('byte-order mark is removed and reported', () => {
    const report = validateEveryWay(`\uFEFF${alpaca('a', 'b')}\n${alpaca('c', 'd')}\n`, {
      fileName: 'data.jsonl',
    });

    assert.equal(report.bomRemoved, true);
    assert.equal(report.validCount, 2);
    assert.equal(report.errorCount, 0);
    assert.deepEqual(report.warnings, [
      {
        line: 1,
        column: 1,
        record: null,
        code: 'bom_removed',
        message: 'The file starts with a UTF-8 byte-order mark, which was removed.',
      },
    ]);
  });

  test('byte-order mark before a CSV header', () => {
    const report = validateEveryWay('\uFEFFinstruction,output\r\nhi,hello\r\n', {
      fileName: 'a.csv',
    });

    assert.equal(report.bomRemoved, true);
    assert.deepEqual(report.columns, { prompt: 'instruction', response: 'output' });
    assert.equal(report.validCount, 1);
  });

  test('malformed JSONL line mid-file is skipped', () => {
    const text = [alpaca('a', 'b'), '{"instruction": "c", "output": }', alpaca('e', 'f'), ''].join(
      '\n',
    );

    const report = validateEveryWay(text, { fileName: 'data.jsonl' });

    assert.equal(report.recordCount, 3);
    assert.equal(report.validCount, 2);
    assert.equal(report.invalidCount, 1);
    assert.deepEqual(report.errors, [
      {
        line: 2,
        column: 32,
        record: 2,
        message:
          "Invalid JSON: expected a value, found '}'. Each line must hold one complete JSON record.",
      },
    ]);
  });

  test('CRLF line endings in every file type', () => {
    const jsonl = validateEveryWay(
      `${alpaca('a', 'b')}\r\n\r\n${alpaca('c', 'd')}\r\n${alpaca('a', 'b')}`,
      {
        fileName: 'a.jsonl',
      },
    );
    const json = validateEveryWay('[\r\n  {"text": "a"},\r\n  {"text": 1}\r\n]\r\n', {
      fileName: 'a.json',
    });
    const csv = validateEveryWay('text\r\n"two\r\nlines"\r\nlast\r\n', { fileName: 'a.csv' });
    const txt = validateEveryWay('first\r\nsecond\r\n', { fileName: 'a.txt' });

    assert.equal(jsonl.validCount, 3);
    assert.equal(jsonl.errorCount, 0);
    assert.deepEqual(jsonl.warnings, [
      {
        line: 4,
        record: 3,
        code: 'duplicate_record',
        message: 'The record is an exact duplicate of record 1.',
      },
    ]);
    assert.deepEqual(json.errors, [
      { line: 3, column: 3, record: 2, message: '"text" must be a string, found a number.' },
    ]);
    assert.deepEqual(csv.preview, [{ text: 'two\r\nlines' }, { text: 'last' }]);
    assert.deepEqual(txt.preview, [{ text: 'first' }, { text: 'second' }]);
  });

  test('CSV row with wrong field count', () => {
    const text = 'instruction,input,output\nhi,,hello\n"a, b",c\nx,y,z\n';

    const report = validateEveryWay(text, { fileName: 'a.csv' });

    assert.equal(report.validCount, 2);
    assert.deepEqual(report.errors, [
      {
        line: 3,
        record: 2,
        message:
          'The row has 2 fields but the header has 3 ("instruction", "input", "output"). Quote any ' +
          'field that contains a comma.',
      },
    ]);
  });

  test('unmapped ShareGPT roles get a suggestion', () => {
    const record = {
      conversations: [
        { from: 'user', value: 'Hi' },
        { from: 'assistant', value: 'Hello' },
      ],
    };
    const text = `${JSON.stringify(record)}\n${JSON.stringify(record)}\n`;

    const report = validateEveryWay(text, { fileName: 'chat.jsonl' });
    const mapped = validateEveryWay(text, {
      fileName: 'chat.jsonl',
      tags: { user_tag: 'user', assistant_tag: 'assistant' },
    });

    assert.equal(report.schema, 'sharegpt');
    assert.equal(report.invalidCount, 2);
    assert.match(
      report.errors[0]?.message ?? '',
      /^conversations\[0\]\.from is "user", which matches no role in the tag mapping/,
    );
    assert.equal(report.warnings[0]?.code, 'tag_mismatch');
    assert.match(report.warnings[0]?.message ?? '', /Roles in the data are user\/assistant/);
    assert.match(
      report.warnings[0]?.message ?? '',
      /Set user_tag=user, assistant_tag=assistant\.$/,
    );
    assert.equal(mapped.validCount, 2);
    assert.equal(mapped.warningCount, 1);
    assert.equal(mapped.warnings[0]?.code, 'duplicate_record');
  });

  test('unmapped message keys get a suggestion', () => {
    const record = {
      conversations: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello' },
      ],
    };

    const report = validateEveryWay(JSON.stringify(record), {
      fileName: 'chat.jsonl',
      tags: { user_tag: 'user', assistant_tag: 'assistant' },
    });

    assert.equal(report.invalidCount, 1);
    assert.equal(
      report.errors[0]?.message,
      'conversations[0] has no "from" key (role_tag); its keys are role, content.',
    );
    assert.match(report.warnings[0]?.message ?? '', /Set role_tag=role, content_tag=content\.$/);
  });

  test('non-alternating roles name the turn', () => {
    const record = {
      conversations: [
        { from: 'system', value: 'Be brief.' },
        { from: 'human', value: 'Hi' },
        { from: 'human', value: 'Are you there?' },
        { from: 'gpt', value: 'Yes' },
      ],
    };

    const report = validateEveryWay(JSON.stringify([record], null, 2), { fileName: 'chat.json' });

    assert.equal(report.validCount, 0);
    assert.equal(report.skippedCount, 1);
    assert.equal(report.recordCount, 1);
    assert.equal(report.warnings.length, 1);
    assert.deepEqual(report.warnings[0], {
      line: 2,
      column: 3,
      record: 1,
      code: 'turn_order',
      message:
        'conversations[2] is a "human" turn where gpt or function_call was expected: after an ' +
        'optional system message, roles must alternate user (or observation) and assistant (or ' +
        'function). LLaMA-Factory skips this record.',
    });
  });

  test('empty file', () => {
    for (const fileName of ['a.json', 'a.jsonl', 'a.csv', 'a.txt']) {
      const report = validateEveryWay('', { fileName });

      assert.equal(report.recordCount, 0, fileName);
      assert.equal(report.schema, 'unknown', fileName);
      assert.deepEqual(report.errors, [{ line: 1, record: null, message: 'The file is empty.' }]);
    }
  });

  test('file with no records', () => {
    for (const [fileName, text] of [
      ['a.json', '[ ]\n'],
      ['a.jsonl', '\n  \n'],
      ['a.csv', 'instruction,output\n'],
      ['a.txt', '\n\n'],
    ] as const) {
      const report = validateEveryWay(text, { fileName });

      assert.deepEqual(
        report.errors,
        [{ line: 1, record: null, message: 'The file contains no records.' }],
        fileName,
      );
    }
  });

  test('invalid UTF-8 names offset and line', () => {
    // "é" in Latin-1 (0xE9) inside the third line; the 4-byte emoji before it is valid.
    const bytes = concat(
      `${alpaca('a', '😀')}\n${alpaca('c', 'd')}\n{"instruction": "caf`,
      new Uint8Array([0xe9]),
      '"}\n',
    );
    const offset = bytes.indexOf(0xe9);

    const report = validateEveryWay(bytes, { fileName: 'latin1.jsonl' });

    assert.equal(report.validCount, 2);
    assert.equal(report.recordCount, 2);
    assert.deepEqual(report.errors, [
      {
        line: 3,
        column: 21,
        record: null,
        message:
          `The file is not valid UTF-8: byte offset ${offset} (line 3, column 21) starts the ` +
          'invalid sequence 0xE9. Validation stopped there, so later records were not checked. ' +
          'Save the file as UTF-8 and upload it again.',
      },
    ]);
  });

  test('invalid UTF-8 in TXT keeps earlier lines', () => {
    const bytes = concat('first line\nsecond line\nthird ', new Uint8Array([0xff]), ' line\n');

    const report = validateEveryWay(bytes, { fileName: 'corpus.txt' });

    assert.equal(report.textMode, 'line');
    assert.deepEqual(report.preview, [{ text: 'first line' }, { text: 'second line' }]);
    assert.equal(report.errors[0]?.line, 3);
    assert.equal(report.errors[0]?.column, 7);
  });

  test('file cut inside a multi-byte character', () => {
    const bytes = utf8('{"text": "思考"}\n{"text": "思');

    const report = validateEveryWay(bytes.subarray(0, bytes.length - 1), { fileName: 'a.jsonl' });

    assert.equal(report.validCount, 1);
    assert.match(
      report.errors[0]?.message ?? '',
      /^The file ends inside a multi-byte UTF-8 character at byte offset 29 \(line 2, column 11\)/,
    );
  });

  test('UTF-16 file', () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x5b, 0x00, 0x5d, 0x00]);

    const report = validateEveryWay(bytes, { fileName: 'a.json' });

    assert.match(
      report.errors[0]?.message ?? '',
      /^The file is UTF-16 \(it starts with a UTF-16 byte-order mark\), not UTF-8/,
    );
  });
});

/** Streams `count` bytes of 'a' in 64 KiB chunks, all views of one buffer, to keep memory low. */
function* letters(count: number): Generator<Uint8Array> {
  const chunk = new Uint8Array(65_536).fill(0x61);
  for (let sent = 0; sent < count; sent += chunk.length) {
    yield chunk.subarray(0, Math.min(chunk.length, count - sent));
  }
}

describe('dataset validator on a 50 MB line', () => {
  const size = 50 * 1024 * 1024;
  /** File name, text before and after the 50 MiB of letters, and the long record's length. */
  const cases: [string, string, string, string][] = [
    ['a.jsonl', '{"text": "short"}\n{"text": "', '"}\n{"text": "after"}\n', '52,428,812'],
    ['a.json', '[{"text": "short"},\n{"text": "', '"},\n{"text": "after"}]\n', '52,428,812'],
    ['a.txt', 'short\n', '\nafter\n', '52,428,800'],
  ];

  for (const [fileName, before, after, length] of cases) {
    test(`${fileName}: over-long record skipped, reading continues`, () => {
      const validator = createDatasetValidator({ fileName });
      validator.push(utf8(before));
      for (const chunk of letters(size)) {
        validator.push(chunk);
      }
      validator.push(utf8(after));

      const report = validator.end();

      assert.equal(report.recordCount, 3);
      assert.equal(report.validCount, 2);
      assert.deepEqual(
        report.errors.map(({ line, record, message }) => ({ line, record, message })),
        [
          {
            line: 2,
            record: 2,
            message:
              `The record has ${length} characters, more than the limit of 2,097,152 ` +
              'characters per record, so it was skipped. Split it into shorter records.',
          },
        ],
      );
      assert.deepEqual(report.preview, [{ text: 'short' }, { text: 'after' }]);
    });
  }
});

describe('dataset validator options', () => {
  const invalid: [string, DatasetValidatorOptions, RegExp][] = [
    [
      'unknown extension',
      { fileName: 'data.parquet' },
      /Unsupported dataset file "data\.parquet".*\.jsonl/,
    ],
    ['no name or type', {}, /Missing fileName or fileType/],
    ['unknown file type', { fileType: 'xml' as 'json' }, /Unsupported fileType "xml"/],
    ['bad cutoff length', { fileName: 'a.json', cutoffLength: 0 }, /Invalid cutoffLength 0/],
    [
      'bad record limit',
      { fileName: 'a.json', maxRecordChars: 1.5 },
      /Invalid maxRecordChars 1\.5/,
    ],
    [
      'unknown tag',
      { fileName: 'a.json', tags: { speaker_tag: 'x' } as never },
      /Unknown tag "speaker_tag"/,
    ],
    ['empty tag', { fileName: 'a.json', tags: { user_tag: '' } }, /Invalid value "" for user_tag/],
    [
      'bad text mode',
      { fileName: 'a.txt', textMode: 'pages' as 'line' },
      /Invalid textMode "pages"/,
    ],
  ];

  for (const [name, options, message] of invalid) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => createDatasetValidator(options),
        (error: unknown) => {
          return error instanceof RangeError && message.test(error.message);
        },
      );
    });
  }

  test('file type wins over the name', () => {
    const report = validateWhole('{"text": "a"}\n', { fileName: 'data.bin', fileType: 'jsonl' });

    assert.equal(report.fileType, 'jsonl');
    assert.equal(report.validCount, 1);
  });

  test('push after end is an error', () => {
    const validator = createDatasetValidator({ fileName: 'a.jsonl' });
    validator.end();

    assert.throws(() => validator.push(utf8('{}')), /push\(\) was called after end\(\)/);
  });
});
