import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut, randomChunks } from '../testing/chunking.js';
import { LineHasher } from './lineHasher.js';

const encoder = new TextEncoder();

/** Returns each line's hashes as "number:first:second", for chunks fed in order. */
function hashLines(chunks: Uint8Array[], lineCount: number): string[] {
  const hasher = new LineHasher();
  for (const chunk of chunks) {
    hasher.push(chunk);
  }
  hasher.end();
  const lines: string[] = [];
  for (let line = 1; line <= lineCount; line += 1) {
    lines.push(
      hasher.take(line) ? `${line}:${hasher.takenFirst}:${hasher.takenSecond}` : `${line}:none`,
    );
  }
  return lines;
}

describe('LineHasher', () => {
  const text = 'abc\r\n{"text": "思考 😀"}\n\nabc\nab\rc\nabcd\nabc\r';
  const bytes = encoder.encode(text);
  const whole = hashLines([bytes], 7);

  test('hashes every line, cut at every byte offset', () => {
    for (const cut of everyCut(bytes)) {
      assert.deepEqual(hashLines(cut.chunks, 7), whole, `cut at ${cut.offset}`);
    }
    for (const seed of [1, 2, 3]) {
      assert.deepEqual(
        hashLines(randomChunks(bytes, seed, { min: 1, max: 5 }), 7),
        whole,
        `seed ${seed}`,
      );
    }
  });

  test('line endings and BOM are excluded', () => {
    const [crlf, , , lf, loneCr, longer, lastCr] = whole.map((line) =>
      line.split(':').slice(1).join(':'),
    );

    assert.equal(crlf, lf);
    assert.equal(lastCr, lf);
    assert.notEqual(loneCr, lf);
    assert.notEqual(longer, lf);
    assert.deepEqual(
      hashLines([encoder.encode('\uFEFFabc\n')], 1)[0]
        ?.split(':')
        .slice(1)
        .join(':'),
      lf,
    );
  });

  test('one-byte and length changes differ', () => {
    const lines = ['a', 'b', 'aa', 'a\u0000', 'abcd', 'abce', 'abcde', 'abcd\u0000'];
    const hashes = hashLines([encoder.encode(lines.join('\n'))], lines.length).map((line) =>
      line.split(':').slice(1).join(':'),
    );

    assert.equal(new Set(hashes).size, lines.length);
  });

  test('take drops lines the reader skipped', () => {
    const hasher = new LineHasher();
    hasher.push(encoder.encode('a\nb\nc\n'));

    assert.equal(hasher.take(2), true);
    assert.equal(hasher.take(1), false);
    assert.equal(hasher.take(3), true);
    assert.equal(hasher.take(4), false);
  });
});
