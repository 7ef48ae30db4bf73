import type { SecretBox } from '../crypto/secretBox.js';
import type { GpuHost } from '../models/index.js';
import type { TrainingSettings } from './settings.js';
import type { SshTarget } from './ssh/connection.js';

interface StoredKey {
  key: string;
  passphrase?: string;
}

/** Encrypts a private key and its optional passphrase as one stored value. */
export function sealPrivateKey(secrets: SecretBox, key: string, passphrase?: string): string {
  const stored: StoredKey = passphrase === undefined ? { key } : { key, passphrase };
  return secrets.encrypt(JSON.stringify(stored));
}

/** Builds the connection target of a host, decrypting its key. */
export function sshTargetFor(
  secrets: SecretBox,
  host: GpuHost,
  settings: TrainingSettings,
): SshTarget {
  const stored = JSON.parse(secrets.decrypt(host.privateKeyEncrypted)) as StoredKey;
  return {
    host: host.host,
    port: host.port,
    username: host.username,
    privateKey: stored.key,
    ...(stored.passphrase === undefined ? {} : { passphrase: stored.passphrase }),
    hostKeyFingerprint: host.hostKeyFingerprint,
    readyTimeoutMs: settings.sshReadyTimeoutMs,
    keepaliveIntervalMs: settings.sshKeepaliveMs,
  };
}
