import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_PROVIDER_TEXT_LENGTH, REDACTED, SecretScrubber } from './secretScrubber.js';
import { ProviderError } from './types.js';

const KEY = 'sk-proj-Secret"Key\\0123456789';

describe('secret scrubber', () => {
  const scrubber = new SecretScrubber([KEY, 'short', 'header-value-abc']);

  const echoes: [string, string][] = [
    ['as is', `Incorrect API key: ${KEY}.`],
    ['as a bearer token', `Authorization: Bearer ${KEY}`],
    ['percent-encoded', `url?key=${encodeURIComponent(KEY)}`],
    ['inside a JSON string', JSON.stringify({ key: KEY })],
    ['in hexadecimal', Buffer.from(KEY).toString('hex')],
    ['in base64', Buffer.from(KEY).toString('base64')],
    ['in base64url', Buffer.from(KEY).toString('base64url')],
    ['as a base64 bearer header', Buffer.from(`Bearer ${KEY}`).toString('base64')],
    ['as base64 basic credentials', Buffer.from(`user:${KEY}`).toString('base64')],
    ['behind one byte in base64', Buffer.from(`x${KEY}`).toString('base64')],
  ];
  for (const [form, text] of echoes) {
    test(`removes a key echoed ${form}`, () => {
      const scrubbed = scrubber.scrub(text);

      assert.equal(scrubbed.includes(KEY), false);
      assert.match(scrubbed, /\[redacted\]/);
      // What is left must not decode back to the key either.
      assert.equal(
        Buffer.from(scrubbed, 'base64').toString('latin1').includes('Secret"Key'),
        false,
      );
    });
  }

  test('removes header values', () => {
    assert.equal(scrubber.scrub('sent header-value-abc back'), `sent ${REDACTED} back`);
  });

  test('keeps values too short to be secrets', () => {
    assert.equal(scrubber.scrub('a short message'), 'a short message');
  });

  test('cuts long text', () => {
    const scrubbed = scrubber.scrub('x'.repeat(5000));

    assert.ok(scrubbed.length <= MAX_PROVIDER_TEXT_LENGTH);
    assert.ok(scrubbed.endsWith('…'));
  });

  test('scrubbed error keeps code and status, drops the cause', () => {
    const error = new ProviderError('auth', `rejected ${KEY}`, {
      status: 401,
      providerMessage: `bad key ${KEY}`,
      retryAfterMs: 5,
      cause: new Error(KEY),
    });

    const scrubbed = scrubber.scrubError(error);

    assert.equal(scrubbed.code, 'auth');
    assert.equal(scrubbed.message, `rejected ${REDACTED}`);
    assert.equal(scrubbed.details.providerMessage, `bad key ${REDACTED}`);
    assert.equal(scrubbed.details.status, 401);
    assert.equal(scrubbed.details.retryAfterMs, 5);
    assert.equal(scrubbed.cause, undefined);
  });
});
