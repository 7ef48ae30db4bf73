import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { datasetInfoEntry } from './datasetInfo.js';
import { validateWhole } from './testing/feed.js';
import type { DatasetValidatorOptions } from './types.js';

function entryFor(records: unknown[], options: Partial<DatasetValidatorOptions> = {}) {
  const fileName = options.fileName ?? 'data.jsonl';
  const text = records.map((record) => JSON.stringify(record)).join('\n');
  const report = validateWhole(text, { fileName, ...options });
  return datasetInfoEntry(report, fileName, options);
}

describe('datasetInfoEntry', () => {
  test('Alpaca with system and history', () => {
    assert.deepEqual(
      entryFor([{ instruction: 'Q', input: 'I', output: 'A', system: 'S', history: [] }]),
      {
        file_name: 'data.jsonl',
        formatting: 'alpaca',
        columns: {
          prompt: 'instruction',
          query: 'input',
          response: 'output',
          system: 'system',
          history: 'history',
        },
      },
    );
  });

  test('OpenAI messages with a system and a tool message', () => {
    const entry = entryFor([
      {
        messages: [
          { role: 'system', content: 'S' },
          { role: 'user', content: 'Q' },
          { role: 'assistant', content: 'call' },
          { role: 'tool', content: 'R' },
          { role: 'assistant', content: 'A' },
        ],
      },
    ]);

    assert.deepEqual(entry, {
      file_name: 'data.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'messages' },
      tags: {
        role_tag: 'role',
        content_tag: 'content',
        user_tag: 'user',
        assistant_tag: 'assistant',
        observation_tag: 'tool',
      },
    });
  });

  test('ShareGPT with custom tags keeps the given ones', () => {
    const tags = {
      role_tag: 'speaker',
      content_tag: 'text',
      user_tag: 'human',
      assistant_tag: 'bot',
    };
    const record = {
      dialog: [
        { speaker: 'human', text: 'Q' },
        { speaker: 'bot', text: 'A' },
      ],
    };

    assert.deepEqual(entryFor([record], { tags }), {
      file_name: 'data.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'dialog' },
      tags,
    });
  });

  test('Alpaca-style preference data is ranked', () => {
    assert.deepEqual(entryFor([{ instruction: 'Q', chosen: 'good', rejected: 'bad' }]), {
      file_name: 'data.jsonl',
      formatting: 'alpaca',
      ranking: true,
      columns: { prompt: 'instruction', chosen: 'chosen', rejected: 'rejected' },
    });
  });

  test('TXT pretraining text', () => {
    const report = validateWhole('a document\n', { fileName: 'corpus.txt' });

    assert.deepEqual(datasetInfoEntry(report, 'corpus.txt'), {
      file_name: 'corpus.txt',
      formatting: 'alpaca',
      columns: { prompt: 'text' },
    });
  });

  test('rejects a report with no schema', () => {
    const report = validateWhole('{"question": "Q"}\n', { fileName: 'a.jsonl' });

    assert.throws(
      () => datasetInfoEntry(report, 'a.jsonl'),
      /No dataset_info\.json entry can be built for "a\.jsonl"/,
    );
  });
});
