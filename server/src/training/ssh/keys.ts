import { createHash } from 'node:crypto';
import { utils, type ParsedKey } from 'ssh2';

/** Returns the OpenSSH SHA256 fingerprint of a public key blob: `SHA256:` and unpadded base64. */
export function fingerprintOf(publicKeyBlob: Buffer): string {
  const digest = createHash('sha256').update(publicKeyBlob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

/** Returns the key type named at the start of a public key blob, such as `ssh-ed25519`. */
export function keyTypeOf(publicKeyBlob: Buffer): string {
  if (publicKeyBlob.length < 4) {
    return 'unknown';
  }
  const length = publicKeyBlob.readUInt32BE(0);
  return publicKeyBlob.subarray(4, 4 + length).toString('latin1') || 'unknown';
}

/** Shortens a fingerprint for display: `SHA256:AbC1…x9Yz`. */
export function maskFingerprint(fingerprint: string): string {
  const digest = fingerprint.replace(/^SHA256:/, '');
  return `SHA256:${digest.slice(0, 4)}…${digest.slice(-4)}`;
}

/**
 * Normalizes a fingerprint an admin typed or pasted: `SHA256:` is optional, base64 padding and
 * surrounding spaces are dropped. Returns undefined when it is not 43 base64 characters, the
 * length of a SHA-256 digest.
 */
export function normalizeFingerprint(input: string): string | undefined {
  const digest = input
    .trim()
    .replace(/^SHA256:/i, '')
    .replace(/=+$/, '');
  return /^[A-Za-z0-9+/]{43}$/.test(digest) ? `SHA256:${digest}` : undefined;
}

/** Thrown when a private key cannot be used; the message names the problem and the fix. */
export class PrivateKeyError extends Error {
  override name = 'PrivateKeyError';
}

/** Parses a private key as ssh2 will use it and returns the fingerprint of its public half. */
export function inspectPrivateKey(
  text: string,
  passphrase?: string,
): { fingerprint: string; keyType: string } {
  const parsed = utils.parseKey(text, passphrase) as ParsedKey | ParsedKey[] | Error;
  if (parsed instanceof Error) {
    throw new PrivateKeyError(privateKeyProblem(parsed.message, passphrase));
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) {
    throw new PrivateKeyError('The private key text contains no key; paste the whole key file.');
  }
  if (!key.isPrivateKey()) {
    throw new PrivateKeyError(
      'This is a public key; paste the private key file (such as ~/.ssh/id_ed25519) instead.',
    );
  }
  return { fingerprint: fingerprintOf(key.getPublicSSH()), keyType: key.type };
}

function privateKeyProblem(reason: string, passphrase: string | undefined): string {
  if (/passphrase/i.test(reason) || /encrypted/i.test(reason)) {
    return passphrase === undefined
      ? 'The private key is encrypted; send its passphrase as privateKeyPassphrase.'
      : 'The passphrase does not decrypt the private key; check privateKeyPassphrase.';
  }
  if (/bad passphrase|integrity check/i.test(reason)) {
    return 'The passphrase does not decrypt the private key; check privateKeyPassphrase.';
  }
  return `The private key cannot be read (${reason}); paste an OpenSSH or PEM private key.`;
}
