import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ListedModel } from './clients/index.js';
import { filterListedModels, normalizeCapabilities } from './listedModels.js';

function model(overrides: Partial<ListedModel>): ListedModel {
  return {
    modelId: 'm',
    displayName: 'M',
    type: 'chat',
    capabilities: ['chat'],
    contextLength: null,
    ...overrides,
  };
}

describe('listed model filter', () => {
  const contextLengths: [unknown, number | null][] = [
    [4096, 4096],
    [2_147_483_647, 2_147_483_647],
    [2_147_483_648, null],
    [3_000_000_000, null],
    [0, null],
    [-1, null],
    [1.5, null],
    [Number.NaN, null],
  ];
  for (const [given, stored] of contextLengths) {
    test(`context length ${String(given)} is stored as ${String(stored)}`, () => {
      const { models } = filterListedModels([model({ contextLength: given as number })]);

      assert.equal(models[0]?.contextLength, stored);
    });
  }

  test('display name with hidden characters falls back to the id', () => {
    const { models } = filterListedModels([
      model({ modelId: 'a', displayName: 'Evil\u202Ename' }),
      model({ modelId: 'b', displayName: '   ' }),
      model({ modelId: 'c', displayName: 'n'.repeat(300) }),
    ]);

    assert.deepEqual(
      models.map((entry) => entry.displayName),
      ['a', 'b', 'n'.repeat(191)],
    );
  });

  test('capabilities keep the vocabulary', () => {
    assert.deepEqual(
      normalizeCapabilities(['completion', 'thinking', 'insert', 'tools', 'chat', 7]),
      ['chat', 'reasoning', 'tools'],
    );
  });

  test('an unknown type becomes chat', () => {
    const { models } = filterListedModels([model({ type: 'audio' as ListedModel['type'] })]);

    assert.equal(models[0]?.type, 'chat');
  });
});
