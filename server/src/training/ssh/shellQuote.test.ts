import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shellQuote } from './shellQuote.js';

test('shellQuote wraps and escapes single quotes', () => {
  const cases: [string, string][] = [
    ['plain', "'plain'"],
    ['', "''"],
    ["it's", "'it'\\''s'"],
    ['$(x); `y`\nz', "'$(x); `y`\nz'"],
  ];
  for (const [input, expected] of cases) {
    assert.equal(shellQuote(input), expected);
  }
});

test('shellQuote rejects NUL', () => {
  assert.throws(() => shellQuote('a\0b'), /NUL/);
});
