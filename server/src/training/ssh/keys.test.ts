import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sshKeyPair } from '../../testing/sshKeys.js';
import {
  inspectPrivateKey,
  maskFingerprint,
  normalizeFingerprint,
  PrivateKeyError,
} from './keys.js';

test('inspectPrivateKey fingerprint matches ssh-keygen', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-keys-'));
  try {
    const keyFile = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', keyFile])
      .toString()
      .split(' ')[1];

    const inspected = inspectPrivateKey(fs.readFileSync(keyFile, 'utf8'));

    assert.equal(inspected.fingerprint, expected);
    assert.equal(inspected.keyType, 'ssh-ed25519');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('inspectPrivateKey explains unusable keys', () => {
  const locked = sshKeyPair('pass phrase');
  const cases: [string, string | undefined, RegExp][] = [
    [locked.private, undefined, /encrypted; send its passphrase/],
    [locked.private, 'wrong', /passphrase does not decrypt/],
    [locked.public, undefined, /public key; paste the private key/],
    ['-----BEGIN NOTHING-----', undefined, /cannot be read/],
  ];
  for (const [text, passphrase, message] of cases) {
    assert.throws(
      () => inspectPrivateKey(text, passphrase),
      (error: unknown) => {
        assert.ok(error instanceof PrivateKeyError);
        assert.match(error.message, message);
        return true;
      },
    );
  }
  assert.match(inspectPrivateKey(locked.private, 'pass phrase').fingerprint, /^SHA256:/);
});

test('normalizeFingerprint accepts pasted forms', () => {
  const digest = 'q0xn7yN9m9XcX6vJxYb3GZz0q9Pw1P0r3b6GxTLaK5o';

  assert.equal(normalizeFingerprint(`SHA256:${digest}`), `SHA256:${digest}`);
  assert.equal(normalizeFingerprint(` ${digest}= `), `SHA256:${digest}`);
  assert.equal(normalizeFingerprint('sha256:short'), undefined);
  assert.equal(normalizeFingerprint('MD5:aa:bb:cc'), undefined);
  assert.equal(maskFingerprint(`SHA256:${digest}`), 'SHA256:q0xn…aK5o');
});
