import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { retryAfterMsOf } from './retryAfter.js';

describe('retryAfterMsOf', () => {
  const cases: [Record<string, string>, number | undefined][] = [
    [{ 'retry-after': '20' }, 20_000],
    [{ 'retry-after': '1.5' }, 1_500],
    [{ 'retry-after-ms': '250', 'retry-after': '20' }, 250],
    [{ 'retry-after': '86400' }, 86_400_000],
    [{ 'retry-after': '86401' }, undefined],
    [{ 'retry-after': '99999999999999999999' }, undefined],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ];
  for (const [headers, expected] of cases) {
    test(`${JSON.stringify(headers)} gives ${String(expected)}`, () => {
      assert.equal(retryAfterMsOf(new Headers(headers)), expected);
    });
  }

  test('past HTTP date gives 0', () => {
    assert.equal(
      retryAfterMsOf(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })),
      0,
    );
  });
});
