import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashPassword, PasswordVerifier } from './passwords.js';

describe('PasswordVerifier', () => {
  const verifier = new PasswordVerifier(4);

  test('matching password verifies', async () => {
    const hash = await hashPassword('correct horse', 4);

    assert.equal(await verifier.verify('correct horse', hash), true);
    assert.equal(await verifier.verify('correct horsf', hash), false);
  });

  test('bytes past 72 do not match', async () => {
    const password = 'a'.repeat(72);
    const hash = await hashPassword(password, 4);

    assert.equal(await verifier.verify(password, hash), true);
    assert.equal(await verifier.verify(`${password}b`, hash), false);
    assert.equal(await verifier.verify(`${password}${'é'.repeat(10)}`, hash), false);
  });

  test('unpaired surrogates do not match U+FFFD', async () => {
    // UTF-8 conversion turns each unpaired surrogate into U+FFFD, the hash's input here.
    const hash = await hashPassword('pass-\ufffd-word', 4);

    assert.equal(await verifier.verify('pass-\ufffd-word', hash), true);
    assert.equal(await verifier.verify('pass-\ud800-word', hash), false);
    assert.equal(await verifier.verify('pass-\udfff-word', hash), false);
  });

  test('unknown user never verifies', async () => {
    assert.equal(await verifier.verify('unused dummy password', undefined), false);
  });
});
