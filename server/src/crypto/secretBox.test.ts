import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { maskSecret, SecretBox } from './secretBox.js';

describe('secret box', () => {
  const box = new SecretBox('a'.repeat(48));

  test('round-trips a secret', () => {
    const stored = box.encrypt('sk-live-1234567890');

    assert.equal(box.decrypt(stored), 'sk-live-1234567890');
    assert.equal(stored.includes('sk-live'), false);
    assert.match(stored, /^v1:[\w-]+:[\w-]+:[\w-]+$/);
  });

  test('uses a fresh IV each time', () => {
    assert.notEqual(box.encrypt('same'), box.encrypt('same'));
  });

  test('rejects a tampered value', () => {
    const [version, iv, tag, ciphertext] = box.encrypt('secret value').split(':');
    const flipped = Buffer.from(ciphertext ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;

    assert.throws(() => box.decrypt([version, iv, tag, flipped.toString('base64url')].join(':')));
  });

  test('rejects another app secret', () => {
    const other = new SecretBox('b'.repeat(48));

    assert.throws(() => other.decrypt(box.encrypt('secret value')));
  });

  test('rejects an unknown format', () => {
    assert.throws(() => box.decrypt('plain text'), /unknown format/);
  });

  test('masks keys', () => {
    assert.equal(maskSecret('sk-proj-abcdefghijklmnop'), 'sk-…mnop');
    assert.equal(maskSecret('short'), '…');
  });
});
