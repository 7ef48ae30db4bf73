// Excerpts of LLaMA-Factory's own demo datasets (see fixtures/README.md): each is detected as its
// dataset_info.json entry declares, validates cleanly, and gives the same report however it is cut.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { datasetInfoEntry } from './datasetInfo.js';
import { chunkings, validateChunks, validateWhole } from './testing/feed.js';
import type { DatasetReport, DatasetSchema, ShareGptTags } from './types.js';

const FIXTURES = path.join(__dirname, 'fixtures');

function readFixture(name: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(path.join(FIXTURES, name)));
}

/** LLaMA-Factory's dataset_info.json entries for the excerpted files, keyed by dataset name. */
const datasetInfo = JSON.parse(
  fs.readFileSync(path.join(FIXTURES, 'dataset_info.excerpt.json'), 'utf8'),
) as Record<
  string,
  {
    file_name: string;
    formatting?: string;
    ranking?: boolean;
    columns?: object;
    tags?: ShareGptTags;
  }
>;

interface FixtureCase {
  file: string;
  /** The dataset_info.json entry the file's entry must match, when LLaMA-Factory has one. */
  dataset?: string;
  schema: DatasetSchema;
  records: number;
  /** Fields the stats must list. */
  fields: string[];
}

const cases: FixtureCase[] = [
  {
    file: 'alpaca_en_demo.excerpt.json',
    dataset: 'alpaca_en_demo',
    schema: 'alpaca',
    records: 5,
    fields: ['instruction', 'input', 'output'],
  },
  {
    file: 'identity.excerpt.json',
    dataset: 'identity',
    schema: 'alpaca',
    records: 5,
    fields: ['instruction', 'input', 'output'],
  },
  {
    file: 'glaive_toolcall_en_demo.excerpt.json',
    dataset: 'glaive_toolcall_en_demo',
    schema: 'sharegpt',
    records: 2,
    fields: ['conversations.human', 'conversations.gpt', 'tools'],
  },
  {
    file: 'dpo_en_demo.excerpt.json',
    dataset: 'dpo_en_demo',
    schema: 'preference',
    records: 2,
    fields: ['conversations.human', 'conversations.system', 'chosen.gpt', 'rejected.gpt'],
  },
  {
    file: 'mllm_demo.excerpt.json',
    dataset: 'mllm_demo',
    schema: 'openai',
    records: 2,
    fields: ['messages.user', 'messages.assistant'],
  },
  {
    file: 'c4_demo.excerpt.jsonl',
    dataset: 'c4_demo',
    schema: 'pretraining',
    records: 3,
    fields: ['text'],
  },
  {
    file: 'v1_sft_demo.excerpt.jsonl',
    schema: 'openai',
    records: 4,
    fields: ['messages.user', 'messages.assistant'],
  },
  {
    file: 'wiki_demo.excerpt.txt',
    dataset: 'wiki_demo',
    schema: 'pretraining',
    records: 2,
    fields: ['text'],
  },
  {
    file: 'alpaca_en_demo.excerpt.csv',
    schema: 'alpaca',
    records: 5,
    fields: ['instruction', 'input', 'output'],
  },
  {
    file: 'alpaca_en_demo.first40.json',
    dataset: 'alpaca_en_demo',
    schema: 'alpaca',
    records: 40,
    fields: ['instruction', 'input', 'output'],
  },
];

function assertClean(report: DatasetReport, fixture: FixtureCase): void {
  assert.equal(report.schema, fixture.schema);
  assert.equal(report.recordCount, fixture.records);
  assert.equal(report.validCount, fixture.records);
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.warnings, []);
  assert.deepEqual(Object.keys(report.stats.fields).sort(), [...fixture.fields].sort());
  assert.equal(report.stats.recordChars.count, fixture.records);
  assert.equal(report.preview.length, Math.min(5, fixture.records));
}

describe('LLaMA-Factory demo dataset excerpts', () => {
  for (const fixture of cases) {
    test(`${fixture.file} validates cleanly`, () => {
      const report = validateWhole(readFixture(fixture.file), { fileName: fixture.file });

      assertClean(report, fixture);
    });

    test(`${fixture.file} gives one report for every chunking`, () => {
      const bytes = readFixture(fixture.file);
      const whole = validateWhole(bytes, { fileName: fixture.file });

      for (const chunking of chunkings(bytes)) {
        assert.deepEqual(
          validateChunks(chunking.chunks, { fileName: fixture.file }),
          whole,
          `${fixture.file}, ${chunking.name}`,
        );
      }
    });

    const dataset = fixture.dataset;
    if (dataset !== undefined) {
      test(`${fixture.file} entry matches LLaMA-Factory's ${dataset} entry`, () => {
        const expected = datasetInfo[dataset];
        const report = validateWhole(readFixture(fixture.file), { fileName: fixture.file });

        const entry = datasetInfoEntry(report, expected?.file_name ?? '');

        // LLaMA-Factory's own entries leave out settings that equal its defaults (formatting
        // alpaca, the alpaca columns instruction, input and output), which ours spell out.
        const defaults = { formatting: 'alpaca' };
        const alpacaColumns = { prompt: 'instruction', query: 'input', response: 'output' };
        const explicit = { ...defaults, ...expected };
        if (fixture.schema === 'alpaca' && expected?.columns === undefined) {
          explicit.columns = alpacaColumns;
        }
        assert.deepEqual(entry, explicit);
      });
    }
  }

  test('length stats of 40 Alpaca records', () => {
    const report = validateWhole(readFixture('alpaca_en_demo.first40.json'), {
      fileName: 'alpaca_en_demo.json',
    });

    assert.deepEqual(report.stats.fields.instruction, {
      count: 40,
      min: 20,
      mean: 55.7,
      max: 132,
      p95: 87,
    });
  });
});
