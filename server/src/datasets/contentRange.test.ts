import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../errors.js';
import { parseContentRange } from './contentRange.js';

describe('parseContentRange', () => {
  test('reads first, last and total', () => {
    assert.deepEqual(parseContentRange('bytes 0-99/1000'), { first: 0, last: 99, total: 1000 });
    assert.deepEqual(parseContentRange('bytes 999-999/1000'), {
      first: 999,
      last: 999,
      total: 1000,
    });
  });

  const rejected: [string | undefined, number][] = [
    [undefined, 400],
    ['', 400],
    ['0-99/1000', 400],
    ['bytes 0-99', 400],
    ['bytes */1000', 400],
    ['bytes -5-99/1000', 400],
    ['bytes 0x10-99/1000', 400],
    ['items 0-99/1000', 400],
    ['bytes 100-99/1000', 416],
    ['bytes 0-1000/1000', 416],
  ];
  for (const [header, status] of rejected) {
    test(`rejects ${JSON.stringify(header)} with ${status}`, () => {
      assert.throws(
        () => parseContentRange(header),
        (error: unknown) =>
          error instanceof HttpError &&
          error.status === status &&
          error.code === 'invalid_content_range',
      );
    });
  }
});
