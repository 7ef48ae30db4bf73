import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateDetector } from './duplicates.js';

describe('DuplicateDetector', () => {
  test('returns the first record with the same text', () => {
    const detector = new DuplicateDetector(100);

    assert.equal(detector.check('a', 1), 0);
    assert.equal(detector.check('b', 2), 0);
    assert.equal(detector.check('a', 3), 1);
    assert.equal(detector.check('a', 4), 1);
    assert.equal(detector.check('A', 5), 0);
    assert.equal(detector.check('', 6), 0);
    assert.equal(detector.check('', 7), 6);
  });

  test('tells apart 200,000 distinct texts across table growth', () => {
    const detector = new DuplicateDetector(1_000_000);
    for (let index = 1; index <= 200_000; index += 1) {
      assert.equal(detector.check(`{"text": "record ${index}"}`, index), 0, `record ${index}`);
    }

    assert.equal(detector.remembered, 200_000);
    assert.equal(detector.check('{"text": "record 123456"}', 200_001), 123_456);
  });

  test('limit stops remembering, not finding', () => {
    const detector = new DuplicateDetector(2);
    detector.check('a', 1);
    detector.check('b', 2);

    assert.equal(detector.full, true);
    assert.equal(detector.check('c', 3), 0);
    assert.equal(detector.check('c', 4), 0);
    assert.equal(detector.check('b', 5), 2);
    assert.equal(detector.remembered, 2);
  });
});
