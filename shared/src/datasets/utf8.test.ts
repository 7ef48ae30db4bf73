import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { everyCut, randomChunks } from '../testing/chunking.js';
import { Utf8StreamDecoder, findInvalidUtf8 } from './utf8.js';

function decodeAll(chunks: Uint8Array[]): { text: string; decoder: Utf8StreamDecoder } {
  const decoder = new Utf8StreamDecoder();
  const text = chunks.map((chunk) => decoder.decode(chunk)).join('') + decoder.end();
  return { text, decoder };
}

const bytes = (...values: number[]) => new Uint8Array(values);

describe('findInvalidUtf8', () => {
  const cases: [string, Uint8Array, number][] = [
    ['ASCII', bytes(0x61, 0x62), -1],
    ['two-, three- and four-byte characters', new TextEncoder().encode('é思😀'), -1],
    ['stray continuation byte', bytes(0x61, 0x80), 1],
    ['Latin-1 é before ASCII', bytes(0x63, 0xe9, 0x22), 1],
    ['overlong two-byte form', bytes(0xc0, 0xaf), 0],
    ['overlong three-byte form', bytes(0xe0, 0x80, 0xaf), 0],
    ['UTF-16 surrogate', bytes(0xed, 0xa0, 0x80), 0],
    ['above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['lead byte F5', bytes(0xf5, 0x80, 0x80, 0x80), 0],
    ['sequence broken by ASCII', bytes(0xe2, 0x82, 0x41), 0],
    ['character cut off by the end', bytes(0x61, 0xe2, 0x82), -1],
  ];

  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.equal(findInvalidUtf8(input), expected);
    });
  }
});

describe('Utf8StreamDecoder', () => {
  const text = 'a é 思考 😀 end';
  const encoded = new TextEncoder().encode(text);

  test('decodes characters cut at every byte offset', () => {
    for (const cut of everyCut(encoded)) {
      const result = decodeAll(cut.chunks);

      assert.equal(result.text, text, `cut at ${cut.offset}`);
      assert.equal(result.decoder.failure, undefined);
    }
  });

  test('keeps a byte-order mark for the caller to remove', () => {
    const result = decodeAll([bytes(0xef, 0xbb), bytes(0xbf, 0x61)]);

    assert.equal(result.text, '\uFEFFa');
  });

  test('stops at first invalid sequence', () => {
    // "ok é" then E2 82 broken by "A", then another bad byte that must not be reported.
    const input = new Uint8Array([...new TextEncoder().encode('ok é'), 0xe2, 0x82, 0x41, 0xff]);

    for (const seed of [1, 2, 3, 4, 5]) {
      const result = decodeAll(randomChunks(input, seed, { min: 1, max: 3 }));

      assert.equal(result.text, 'ok é', `seed ${seed}`);
      assert.deepEqual(result.decoder.failure, {
        byteOffset: 5,
        bytes: '0xE2 0x82',
        truncated: false,
      });
    }
  });

  test('reports a character cut at the end', () => {
    const result = decodeAll([bytes(0x61, 0xf0, 0x9f), bytes(0x98)]);

    assert.equal(result.text, 'a');
    assert.deepEqual(result.decoder.failure, {
      byteOffset: 1,
      bytes: '0xF0 0x9F 0x98',
      truncated: true,
    });
  });

  test('returns nothing after a failure', () => {
    const decoder = new Utf8StreamDecoder();
    decoder.decode(bytes(0xff));

    assert.equal(decoder.decode(bytes(0x61)), '');
    assert.equal(decoder.end(), '');
  });
});
