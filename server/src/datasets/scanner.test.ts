import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { DatasetScanner, ScanLimitError, Utf8Check } from './scanner.js';

/** Feeds `bytes` to a fresh check in pieces of `size` bytes. */
function checkInPieces(bytes: Buffer, size: number): boolean {
  const check = new Utf8Check();
  for (let offset = 0; offset < bytes.length; offset += size) {
    check.push(bytes.subarray(offset, offset + size));
  }
  return check.end();
}

describe('Utf8Check', () => {
  const cases: [string, Buffer, boolean][] = [
    ['ASCII', Buffer.from('plain text'), true],
    ['two-, three- and four-byte characters', Buffer.from('é € 😀 ✓ naïve'), true],
    ['a Latin-1 byte', Buffer.from('caf\u00e9', 'latin1'), false],
    ['a lone continuation byte', Buffer.from([0x61, 0x80, 0x62]), false],
    ['an overlong encoding', Buffer.from([0xc0, 0xaf]), false],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80]), false],
    ['a character cut by the end', Buffer.from([0x61, 0xe2, 0x82]), false],
    ['a four-byte lead at the end', Buffer.from([0x61, 0xf0]), false],
    ['a UTF-16 byte-order mark', Buffer.from([0xff, 0xfe, 0x61, 0x00]), false],
  ];
  for (const [label, bytes, valid] of cases) {
    test(`${label} is ${valid ? 'valid' : 'invalid'} at every chunk size`, () => {
      for (let size = 1; size <= bytes.length; size += 1) {
        assert.equal(checkInPieces(bytes, size), valid, `chunks of ${size} bytes`);
      }
    });
  }
});

describe('DatasetScanner', () => {
  test('hashes, counts and validates chunks', () => {
    const text = '{"instruction":"Hi","output":"Hello"}\n{"instruction":"Bye","output":"Ciao"}\n';
    const scanner = new DatasetScanner('jsonl');
    const bytes = Buffer.from(text);

    scanner.push(bytes.subarray(0, 7));
    scanner.push(bytes.subarray(7));
    const result = scanner.finish();

    assert.equal(result.sha256, createHash('sha256').update(text).digest('hex'));
    assert.equal(result.sizeBytes, bytes.length);
    assert.equal(result.utf8, true);
    assert.equal(result.report.schema, 'alpaca');
    assert.equal(result.report.validCount, 2);
  });

  test('the byte past the limit raises ScanLimitError', () => {
    const scanner = new DatasetScanner('txt', 10);

    scanner.push(Buffer.alloc(10, 'a'));

    assert.throws(() => scanner.push(Buffer.from('b')), ScanLimitError);
  });
});
