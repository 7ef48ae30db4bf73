import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closestMatch, editDistance } from './suggest.js';

describe('closestMatch', () => {
  const roles = ['system', 'developer', 'user', 'assistant', 'tool'];
  const cases: [string, string | undefined][] = [
    ['asistant', 'assistant'],
    ['assitant', 'assistant'],
    ['Assistant', 'assistant'],
    ['usr', 'user'],
    ['sytem', 'system'],
    ['devloper', 'developer'],
    ['tol', 'tool'],
    ['robot', undefined],
    ['', undefined],
    ['assistantassistant', undefined],
  ];
  for (const [word, expected] of cases) {
    test(`${JSON.stringify(word)} suggests ${expected ?? 'nothing'}`, () => {
      assert.equal(closestMatch(word, roles), expected);
    });
  }
});

describe('editDistance', () => {
  const cases: [string, string, number][] = [
    ['kitten', 'sitting', 3],
    ['ab', 'ba', 1],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ];
  for (const [a, b, distance] of cases) {
    test(`${a} to ${b} is ${distance}`, () => {
      assert.equal(editDistance(a, b, 10), distance);
    });
  }

  test('stops once the limit is passed', () => {
    assert.equal(editDistance('abcdef', 'uvwxyz', 2), 3);
  });
});
