import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LengthAccumulator } from './lengthStats.js';

function statsOf(values: number[]) {
  const accumulator = new LengthAccumulator();
  for (const value of values) {
    accumulator.add(value);
  }
  return accumulator.result();
}

/** The exact 95th percentile by the nearest-rank method, which the histogram estimates. */
function exactP95(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.ceil(0.95 * sorted.length) - 1] ?? 0;
}

describe('LengthAccumulator', () => {
  test('no values', () => {
    assert.deepEqual(statsOf([]), { count: 0, min: 0, mean: 0, max: 0, p95: 0 });
  });

  test('small values are exact', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);

    assert.deepEqual(statsOf(values), { count: 100, min: 1, mean: 50.5, max: 100, p95: 95 });
  });

  test('large values keep p95 within 1% above the exact one', () => {
    let seed = 7;
    const values = Array.from({ length: 5000 }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return 1000 + (seed % 500_000);
    });

    const stats = statsOf(values);
    const exact = exactP95(values);

    assert.ok(stats.p95 >= exact, `${stats.p95} < ${exact}`);
    assert.ok(stats.p95 <= Math.ceil(exact * 1.01), `${stats.p95} > ${exact} * 1.01`);
    assert.equal(stats.min, Math.min(...values));
    assert.equal(stats.max, Math.max(...values));
  });

  test('one value', () => {
    assert.deepEqual(statsOf([123_456]), {
      count: 1,
      min: 123_456,
      mean: 123_456,
      max: 123_456,
      p95: 123_456,
    });
  });
});
