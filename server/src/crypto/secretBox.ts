import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

/**
 * Encrypts secrets at rest (provider API keys, SSH private keys) with AES-256-GCM. The key is
 * derived from APP_SECRET with HKDF-SHA256, so the stored form is `v1:<iv>:<tag>:<ciphertext>` in
 * base64url and a changed or wrong APP_SECRET fails authentication instead of returning garbage.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    this.key = Buffer.from(hkdfSync('sha256', appSecret, 'llm-workbench', 'secret-box-v1', 32));
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv, tag, ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join(':');
  }

  /** Decrypts a value from `encrypt`; throws when it was tampered with or APP_SECRET changed. */
  decrypt(stored: string): string {
    const [version, iv, tag, ciphertext] = stored.split(':');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new Error('The stored secret has an unknown format.');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ]).toString('utf8');
  }
}

/** Shows the first 3 and last 4 characters of a key, such as `sk-…c3f9`, or `…` for short keys. */
export function maskSecret(secret: string): string {
  if (secret.length <= 10) {
    return '…';
  }
  return `${secret.slice(0, 3)}…${secret.slice(-4)}`;
}
