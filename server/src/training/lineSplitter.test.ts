import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitLines } from './lineSplitter.js';

test('splitLines keeps a half-written last line for later', () => {
  const result = splitLines(Buffer.from('one\ntwo\nthr'), false, 1024);

  assert.deepEqual(result.lines, ['one', 'two']);
  assert.equal(result.consumed, 8);
});

test('splitLines takes the rest when the writer ended', () => {
  const result = splitLines(Buffer.from('one\nlast without newline'), true, 1024);

  assert.deepEqual(result.lines, ['one', 'last without newline']);
  assert.equal(result.consumed, 24);
});

test('splitLines shows progress bars as a terminal does', () => {
  const result = splitLines(Buffer.from('10%\r50%\r100%\r\nwindows\r\n'), false, 1024);

  assert.deepEqual(result.lines, ['100%', 'windows']);
});

test('splitLines cuts a line longer than the limit', () => {
  const result = splitLines(Buffer.from('x'.repeat(10)), false, 10);

  assert.deepEqual(result.lines, ['x'.repeat(10)]);
  assert.equal(result.consumed, 10);
});

test('splitLines never cuts a UTF-8 character', () => {
  const bytes = Buffer.from('å\nö\nü', 'utf8');
  for (let cut = 0; cut <= bytes.length; cut += 1) {
    const first = splitLines(bytes.subarray(0, cut), false, 1024);
    const rest = splitLines(bytes.subarray(first.consumed), true, 1024);

    assert.deepEqual([...first.lines, ...rest.lines], ['å', 'ö', 'ü'], `cut at byte ${cut}`);
  }
});

test('splitLines of nothing consumes nothing', () => {
  assert.deepEqual(splitLines(Buffer.alloc(0), true, 1024), { lines: [], consumed: 0 });
});
