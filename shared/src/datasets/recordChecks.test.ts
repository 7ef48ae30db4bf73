import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateWhole } from './testing/feed.js';
import type { DatasetReport, DatasetValidatorOptions } from './types.js';

/** Validates records written one per line as JSONL. */
function validateRecords(
  records: unknown[],
  options: Partial<DatasetValidatorOptions> = {},
): DatasetReport {
  const text = records.map((record) => JSON.stringify(record)).join('\n');
  return validateWhole(text, { fileName: 'data.jsonl', ...options });
}

const messages = (...turns: [string, string][]) => turns.map(([from, value]) => ({ from, value }));
const user = (content: string) => ({ role: 'user', content });
const assistant = (content: string) => ({ role: 'assistant', content });
const errorsOf = (report: DatasetReport) => report.errors.map((error) => error.message);
const warningsOf = (report: DatasetReport) =>
  report.warnings.map((warning) => `${warning.code}: ${warning.message}`);

describe('Alpaca records', () => {
  test('system and history are optional columns', () => {
    const report = validateRecords([
      { instruction: 'Q2', input: '', output: 'A2', system: 'Be brief.', history: [['Q1', 'A1']] },
    ]);

    assert.equal(report.schema, 'alpaca');
    assert.deepEqual(errorsOf(report), []);
    assert.deepEqual(report.columns, {
      prompt: 'instruction',
      query: 'input',
      response: 'output',
      system: 'system',
      history: 'history',
    });
    assert.equal(report.stats.fields.history?.max, 4);
    assert.equal(report.stats.recordChars.max, 2 + 0 + 2 + 9 + 4);
  });

  const invalid: [string, unknown, string][] = [
    ['missing output', { instruction: 'Q' }, '"output" is missing.'],
    ['missing instruction', { output: 'A' }, '"instruction" is missing.'],
    [
      'number instruction',
      { instruction: 3, output: 'A' },
      '"instruction" must be a string, found a number.',
    ],
    [
      'history of strings',
      { instruction: 'Q', output: 'A', history: ['Q1'] },
      'history[0] must be a [prompt, response] pair of strings.',
    ],
    [
      'history not a list',
      { instruction: 'Q', output: 'A', history: 'Q1' },
      '"history" must be a list of [prompt, response] pairs, found a string.',
    ],
    [
      'images not paths',
      { instruction: 'Q', output: 'A', images: [1] },
      '"images" must be a file path or a list of file paths, found a list.',
    ],
  ];

  for (const [name, record, message] of invalid) {
    test(`rejects ${name}`, () => {
      const report = validateRecords([{ instruction: 'ok', output: 'ok' }, record]);

      assert.equal(report.invalidCount, 1);
      assert.deepEqual(errorsOf(report), [message]);
      assert.equal(report.errors[0]?.line, 2);
      assert.equal(report.errors[0]?.record, 2);
    });
  }

  test('warns about an empty output', () => {
    const report = validateRecords([{ instruction: 'Q', input: '', output: '  ' }]);

    assert.equal(report.validCount, 1);
    assert.deepEqual(warningsOf(report), ['empty_output: "output" is empty.']);
  });
});

describe('ShareGPT records', () => {
  test('glaive-style tool turns are in order', () => {
    const report = validateRecords([
      {
        conversations: messages(
          ['human', 'Q'],
          ['function_call', '{}'],
          ['observation', '{}'],
          ['gpt', 'A'],
        ),
        tools: '[]',
      },
    ]);

    assert.deepEqual(errorsOf(report), []);
    assert.deepEqual(warningsOf(report), []);
    assert.deepEqual(report.roles, { human: 1, function_call: 1, observation: 1, gpt: 1 });
    assert.deepEqual(report.stats.turns, { count: 1, min: 4, mean: 4, max: 4, p95: 4 });
  });

  const warned: [string, unknown, string][] = [
    [
      'ends with a user turn',
      { conversations: messages(['human', 'Q'], ['gpt', 'A'], ['human', 'Q2']) },
      'turn_order: "conversations" ends with a human turn at index 2; it must end with an assistant turn. LLaMA-Factory skips this record.',
    ],
    [
      'starts with the assistant',
      { conversations: messages(['gpt', 'A'], ['human', 'Q']) },
      'turn_order: conversations[0] is a "gpt" turn where human or observation was expected: after an optional system message, roles must alternate user (or observation) and assistant (or function). LLaMA-Factory skips this record.',
    ],
    [
      'system message later on',
      { conversations: messages(['human', 'Q'], ['system', 'S']) },
      'turn_order: conversations[1] is a "system" turn where gpt or function_call was expected: after an optional system message, roles must alternate user (or observation) and assistant (or function). LLaMA-Factory skips this record.',
    ],
    [
      'only a system message',
      { conversations: messages(['system', 'S']) },
      'turn_order: "conversations" holds only a system message. LLaMA-Factory skips this record.',
    ],
    [
      'empty assistant turn',
      { conversations: messages(['human', 'Q'], ['gpt', '']) },
      'empty_output: conversations[1] is an empty gpt turn.',
    ],
  ];

  for (const [name, record, warning] of warned) {
    test(`warns when the conversation ${name}`, () => {
      const report = validateRecords([record]);

      // LLaMA-Factory drops a record whose turns are out of order, so it is counted skipped.
      const skipped = warning.startsWith('turn_order:') ? 1 : 0;
      assert.equal(report.validCount, 1 - skipped);
      assert.equal(report.skippedCount, skipped);
      assert.deepEqual(warningsOf(report), [warning]);
    });
  }

  const invalid: [string, unknown, string][] = [
    [
      'conversations not a list',
      { conversations: 'hi' },
      '"conversations" must be a list of messages, found a string.',
    ],
    [
      'empty conversations',
      { conversations: [] },
      '"conversations" is an empty list; a conversation needs at least one turn.',
    ],
    [
      'message not an object',
      { conversations: ['hi'] },
      'conversations[0] must be a message object, found a string.',
    ],
    [
      'value not a string',
      { conversations: [{ from: 'human', value: 1 }] },
      'conversations[0].value must be a string, found a number.',
    ],
    [
      'tools an object',
      { conversations: messages(['human', 'Q'], ['gpt', 'A']), tools: {} },
      '"tools" must be a string or a list, found an object.',
    ],
  ];

  for (const [name, record, message] of invalid) {
    test(`rejects ${name}`, () => {
      const ok = { conversations: messages(['human', 'Q'], ['gpt', 'A']) };
      const report = validateRecords([ok, ok, record]);

      assert.equal(report.schema, 'sharegpt');
      assert.deepEqual(errorsOf(report), [message]);
    });
  }
});

describe('OpenAI messages', () => {
  test('content parts, tool calls and tool results', () => {
    const report = validateRecords([
      {
        messages: [
          { role: 'system', content: 'S' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'abc' },
              { type: 'image_url', image_url: { url: 'x' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: '1' }] },
          { role: 'tool', content: 'result' },
          { role: 'assistant', content: [{ type: 'text', value: 'done' }] },
        ],
      },
    ]);

    assert.equal(report.schema, 'openai');
    assert.deepEqual(errorsOf(report), []);
    assert.deepEqual(warningsOf(report), []);
    assert.equal(report.stats.recordChars.max, 1 + 3 + 0 + 6 + 4);
  });

  test('rejects a text part without text', () => {
    const report = validateRecords([{ messages: [{ role: 'user', content: [{ type: 'text' }] }] }]);

    assert.deepEqual(errorsOf(report), [
      'messages[0].content[0] is a text part without a "text" string.',
    ]);
  });
});

describe('preference records', () => {
  test('Alpaca style', () => {
    const report = validateRecords([
      { instruction: 'Q', input: '', chosen: 'good', rejected: 'bad' },
      { instruction: 'Q', chosen: '', rejected: 'bad' },
      { instruction: 'Q', chosen: 'good' },
    ]);

    assert.equal(report.schema, 'preference');
    assert.equal(report.preferenceFormat, 'alpaca');
    assert.deepEqual(warningsOf(report), ['empty_output: "chosen" is empty.']);
    assert.deepEqual(errorsOf(report), ['"rejected" is missing.']);
    assert.deepEqual(report.columns, {
      prompt: 'instruction',
      query: 'input',
      chosen: 'chosen',
      rejected: 'rejected',
    });
  });

  test('ShareGPT style', () => {
    const report = validateRecords([
      {
        conversations: messages(['human', 'Q']),
        chosen: { from: 'gpt', value: 'good' },
        rejected: { from: 'gpt', value: 'bad' },
      },
      {
        conversations: messages(['human', 'Q'], ['gpt', 'A']),
        chosen: { from: 'gpt', value: 'x' },
        rejected: { from: 'human', value: 'y' },
      },
    ]);

    assert.equal(report.preferenceFormat, 'sharegpt');
    assert.deepEqual(errorsOf(report), []);
    assert.deepEqual(warningsOf(report), [
      'turn_order: "conversations" of preference data must end with a user turn, and the answers go in "chosen" and "rejected". LLaMA-Factory skips this record.',
      'turn_order: "rejected" has role "human"; it must be an assistant or function turn (gpt or function_call). LLaMA-Factory skips this record.',
    ]);
  });
});

describe('pretraining and unknown records', () => {
  test('text must be a string', () => {
    const report = validateRecords([{ text: 'a' }, { text: 'b' }, { text: null }, { text: '' }]);

    assert.equal(report.schema, 'pretraining');
    assert.deepEqual(errorsOf(report), ['"text" must be a string, found null.']);
    assert.deepEqual(warningsOf(report), ['empty_output: "text" is empty.']);
  });

  test('records of no known schema name their keys', () => {
    const report = validateRecords([{ question: 'Q', answer: 'A' }]);

    assert.equal(report.schema, 'unknown');
    assert.match(
      errorsOf(report)[0] ?? '',
      /^The record matches no supported schema \(its keys: question, answer\)\./,
    );
  });

  test('a record that is not an object', () => {
    const report = validateRecords([{ text: 'a' }, [1, 2], 'x']);

    assert.deepEqual(errorsOf(report), [
      'The record is a list, but each record must be a JSON object.',
      'The record is a string, but each record must be a JSON object.',
    ]);
  });
});

describe('record checker', () => {
  test('majority schema of the sample wins', () => {
    const report = validateRecords([
      { text: 'a' },
      { instruction: 'Q', output: 'A' },
      { instruction: 'Q', output: 'B' },
    ]);

    assert.equal(report.schema, 'alpaca');
    assert.deepEqual(errorsOf(report), ['"instruction" is missing.', '"output" is missing.']);
  });

  test('errors keep file order around sampling', () => {
    const text = [
      '{bad',
      ...Array.from({ length: 10 }, (_, index) => JSON.stringify({ text: `t${index}` })),
      '{"text": 1}',
      '[oops',
    ].join('\n');

    const report = validateWhole(text, { fileName: 'a.jsonl' });

    assert.deepEqual(
      report.errors.map((error) => [error.line, error.record]),
      [
        [1, 1],
        [12, 12],
        [13, 13],
      ],
    );
  });

  test('leading broken lines leave detection alone', () => {
    const broken = Array.from({ length: 100 }, () => '{broken').join('\n');
    const records = Array.from({ length: 10 }, (_, index) =>
      JSON.stringify({ instruction: `Q${index}`, output: 'A' }),
    );

    const report = validateWhole(`${broken}\n${records.join('\n')}\n`, { fileName: 'a.jsonl' });

    assert.equal(report.schema, 'alpaca');
    assert.equal(report.validCount, 10);
    assert.equal(report.invalidCount, 100);
    assert.deepEqual(
      report.errors.map((error) => error.line),
      Array.from({ length: 100 }, (_, index) => index + 1),
    );
  });

  test('exact duplicates are warned about', () => {
    const report = validateRecords([{ text: 'a' }, { text: 'b' }, { text: 'a' }]);

    assert.deepEqual(warningsOf(report), [
      'duplicate_record: The record is an exact duplicate of record 1.',
    ]);
    assert.equal(report.warnings[0]?.line, 3);
  });

  test('duplicate check limit is reported', () => {
    const report = validateRecords([{ text: 'a' }, { text: 'b' }, { text: 'c' }, { text: 'a' }], {
      duplicateCheckLimit: 1,
    });

    assert.deepEqual(warningsOf(report), [
      'duplicate_check_limit: The duplicate check remembers the first 1 distinct records, so it missed duplicates among the other 2. Raise duplicateCheckLimit to check them all.',
      'duplicate_record: The record is an exact duplicate of record 1.',
    ]);
  });

  test('over-cutoff records get a token estimate', () => {
    const report = validateRecords([{ text: 'x'.repeat(20) }, { text: 'short' }], {
      cutoffLength: 2,
    });

    assert.deepEqual(warningsOf(report), [
      'over_cutoff_length: The record is about 5 tokens (an estimate: 20 characters / 4), over the cutoff length of 2. Training cuts off the tokens past cutoff_len.',
    ]);
  });

  test('lists 100 errors and counts all', () => {
    const report = validateWhole('{"text": "ok"}\n' + '{bad\n'.repeat(150), {
      fileName: 'a.jsonl',
    });

    assert.equal(report.errors.length, 100);
    assert.equal(report.errorCount, 150);
    assert.equal(report.invalidCount, 150);
    assert.equal(report.errors[99]?.line, 101);
  });

  test('summary warnings come before record warnings', () => {
    const record = { conversations: messages(['user', 'Q'], ['gpt', 'A']) };
    const ok = { conversations: messages(['human', 'Q'], ['gpt', 'A']) };

    const report = validateWhole(
      `\uFEFF${JSON.stringify(ok)}\n${JSON.stringify(ok)}\n${JSON.stringify(record)}\n`,
      {
        fileName: 'a.jsonl',
      },
    );

    assert.deepEqual(
      report.warnings.map((warning) => warning.code),
      ['bom_removed', 'tag_mismatch', 'duplicate_record'],
    );
    assert.equal(report.warnings[1]?.line, 3);
    assert.equal(report.warnings[1]?.record, 3);
    assert.deepEqual(report.warningCounts, {
      bom_removed: 1,
      tag_mismatch: 1,
      duplicate_record: 1,
    });
  });

  test('preview cuts long values', () => {
    const report = validateRecords([
      { text: 'y'.repeat(300), tags: Array.from({ length: 12 }, (_, index) => index) },
    ]);

    assert.deepEqual(report.preview, [
      { text: `${'y'.repeat(200)}…`, tags: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, '… 2 more'] },
    ]);
  });
});

describe('records LLaMA-Factory skips', () => {
  test('counted apart from valid and invalid', () => {
    const good = { messages: [user('Q'), assistant('A')] };
    const report = validateRecords([
      good,
      { messages: [user('Q'), assistant('A'), user('Q2')] },
      { messages: [{ role: 'system', content: 'S' }] },
      { messages: 'not a list' },
      { messages: [user('Q3'), assistant('A3')] },
    ]);

    assert.equal(report.schema, 'openai');
    assert.equal(report.recordCount, 5);
    assert.equal(report.validCount, 2);
    assert.equal(report.invalidCount, 1);
    assert.equal(report.skippedCount, 2);
    assert.deepEqual(
      report.warnings.map((warning) => [warning.record, warning.code]),
      [
        [2, 'turn_order'],
        [3, 'turn_order'],
      ],
    );
    assert.equal(report.errors[0]?.record, 4);
    assert.equal(report.stats.recordChars.count, 2);
  });

  test('ShareGPT starting with the assistant skipped', () => {
    const report = validateRecords([
      { conversations: messages(['gpt', 'Hello'], ['human', 'Hi']) },
      { conversations: messages(['human', 'Hi'], ['gpt', 'Hello']) },
    ]);

    assert.equal(report.validCount, 1);
    assert.equal(report.skippedCount, 1);
    assert.equal(report.warnings[0]?.record, 1);
  });

  test('over-cutoff warning only for trained records', () => {
    const long = 'x'.repeat(400);
    const report = validateRecords(
      [{ messages: [user(long)] }, { messages: [user(long), assistant(long)] }],
      { cutoffLength: 10 },
    );

    assert.deepEqual(
      report.warnings.map((warning) => [warning.record, warning.code]),
      [
        [1, 'turn_order'],
        [2, 'over_cutoff_length'],
      ],
    );
  });
});

describe('duplicate keys', () => {
  test('JSONL record with a key twice warned', () => {
    const text = [
      '{"instruction":"Q","output":"first","output":"second"}',
      '{"instruction":"Q2","output":"A2"}',
    ].join('\n');

    const report = validateWhole(text, { fileName: 'data.jsonl' });

    assert.equal(report.validCount, 2);
    assert.deepEqual(report.warnings, [
      {
        line: 1,
        record: 1,
        code: 'duplicate_key',
        message:
          'The key "output" appears twice in the record; JSON parsers, LLaMA-Factory\'s ' +
          'included, keep only the last value. Remove or rename one of them.',
      },
    ]);
  });

  test('nested duplicate in a JSON array file named by path', () => {
    const text =
      '[{"conversations":[{"from":"human","value":"Q"},' +
      '{"from":"gpt","value":"A","value":"B"}]}]';

    const report = validateWhole(text, { fileName: 'chat.json' });

    assert.equal(report.warnings[0]?.code, 'duplicate_key');
    assert.match(
      report.warnings[0]?.message ?? '',
      /^The key "value" appears twice in the object at conversations\[1\];/,
    );
  });

  const clean: [string, string][] = [
    ['colon after a quote inside a value', '{"instruction":"say \\"a\\": b","output":"x"}'],
    ['escaped backslash before a quote', '{"instruction":"a\\\\","output":"b\\\\"}'],
    ['same key in two objects', '{"instruction":"Q","output":"A","history":[],"x":{"output":1}}'],
    ['key and value with the same text', '{"instruction":"output","output":"instruction"}'],
  ];
  for (const [name, line] of clean) {
    test(`no warning for ${name}`, () => {
      const report = validateWhole(line, { fileName: 'data.jsonl' });

      assert.deepEqual(errorsOf(report), []);
      assert.deepEqual(warningsOf(report), []);
    });
  }

  test('CSV and text records not checked', () => {
    const report = validateWhole('text\n"a"":"" b"":"\n', { fileName: 'data.csv' });

    assert.deepEqual(warningsOf(report), []);
  });
});

describe('identical preference answers', () => {
  test('Alpaca-style pair warned', () => {
    const report = validateRecords([
      { instruction: 'Q', chosen: 'Same.', rejected: 'Same.' },
      { instruction: 'Q', chosen: 'Good.', rejected: 'Bad.' },
    ]);

    assert.equal(report.schema, 'preference');
    assert.equal(report.validCount, 2);
    assert.deepEqual(warningsOf(report), [
      'identical_answers: "chosen" and "rejected" are the same answer, so the pair teaches no ' +
        'preference; make the rejected answer the worse one, or remove the record.',
    ]);
    assert.equal(report.warnings[0]?.record, 1);
  });

  test('ShareGPT-style pair warned', () => {
    const answer = { from: 'gpt', value: 'Same.' };
    const report = validateRecords([
      { conversations: messages(['human', 'Q']), chosen: answer, rejected: { ...answer } },
    ]);

    assert.equal(report.preferenceFormat, 'sharegpt');
    assert.deepEqual(
      report.warnings.map((warning) => warning.code),
      ['identical_answers'],
    );
  });
});
