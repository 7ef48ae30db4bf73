import net from 'node:net';
import { UniqueConstraintError } from 'sequelize';
import type { GpuHostLauncher } from '../../../shared/src/api/training.js';
import type { SecretBox } from '../crypto/secretBox.js';
import { badRequest, conflict, invalidFields } from '../errors.js';
import { GpuHost } from '../models/index.js';
import { sealPrivateKey } from './hostCredentials.js';
import { inspectPrivateKey, normalizeFingerprint, PrivateKeyError } from './ssh/keys.js';

/** Fields of a host as the API takes them, after schema validation. */
export interface GpuHostFields {
  name: string;
  host: string;
  port: number;
  user: string;
  privateKey: string;
  privateKeyPassphrase?: string | undefined;
  hostKeyFingerprint?: string | null | undefined;
  workDir: string;
  setupCommand: string;
  launcher: GpuHostLauncher;
  maxConcurrentRuns: number;
}

/** A DNS host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Reports whether a value is an IP address or a host name ssh2 can connect to. */
export function isHostAddress(value: string): boolean {
  return net.isIP(value) !== 0 || (HOST_NAME.test(value) && !/^[\d.]+$/.test(value));
}

/** Creates a host; the key is checked with ssh2 and stored encrypted. */
export async function createGpuHost(secrets: SecretBox, fields: GpuHostFields): Promise<GpuHost> {
  const key = checkedKey(fields.privateKey, fields.privateKeyPassphrase);
  try {
    return await GpuHost.create({
      name: fields.name,
      host: fields.host,
      port: fields.port,
      username: fields.user,
      privateKeyEncrypted: sealPrivateKey(secrets, fields.privateKey, fields.privateKeyPassphrase),
      keyFingerprint: key.fingerprint,
      hostKeyFingerprint: checkedFingerprint(fields.hostKeyFingerprint),
      workDir: fields.workDir,
      setupCommand: fields.setupCommand,
      launcher: fields.launcher,
      maxConcurrentRuns: fields.maxConcurrentRuns,
    });
  } catch (error) {
    throw duplicateName(error, fields.name);
  }
}

/**
 * Changes a host. A new address or port clears the pinned host key, because it is another
 * machine, unless the request confirms a fingerprint for it.
 */
export async function updateGpuHost(
  secrets: SecretBox,
  host: GpuHost,
  fields: Partial<GpuHostFields>,
): Promise<GpuHost> {
  const moved =
    (fields.host !== undefined && fields.host !== host.host) ||
    (fields.port !== undefined && fields.port !== host.port);
  if (fields.privateKey !== undefined) {
    const key = checkedKey(fields.privateKey, fields.privateKeyPassphrase);
    host.privateKeyEncrypted = sealPrivateKey(
      secrets,
      fields.privateKey,
      fields.privateKeyPassphrase,
    );
    host.keyFingerprint = key.fingerprint;
  } else if (fields.privateKeyPassphrase !== undefined) {
    throw badRequest(
      'validation_failed',
      'Invalid body.privateKeyPassphrase: send it together with privateKey.',
    );
  }
  if (fields.hostKeyFingerprint !== undefined) {
    host.hostKeyFingerprint = checkedFingerprint(fields.hostKeyFingerprint);
  } else if (moved) {
    host.hostKeyFingerprint = null;
  }
  host.set({
    ...(fields.name === undefined ? {} : { name: fields.name }),
    ...(fields.host === undefined ? {} : { host: fields.host }),
    ...(fields.port === undefined ? {} : { port: fields.port }),
    ...(fields.user === undefined ? {} : { username: fields.user }),
    ...(fields.workDir === undefined ? {} : { workDir: fields.workDir }),
    ...(fields.setupCommand === undefined ? {} : { setupCommand: fields.setupCommand }),
    ...(fields.launcher === undefined ? {} : { launcher: fields.launcher }),
    ...(fields.maxConcurrentRuns === undefined
      ? {}
      : { maxConcurrentRuns: fields.maxConcurrentRuns }),
  });
  host.changed('updatedAt', true);
  try {
    return await host.save();
  } catch (error) {
    throw duplicateName(error, fields.name ?? host.name);
  }
}

function checkedKey(privateKey: string, passphrase: string | undefined) {
  try {
    return inspectPrivateKey(privateKey, passphrase);
  } catch (error) {
    if (error instanceof PrivateKeyError) {
      throw invalidFields('body', [{ path: ['privateKey'], message: error.message }]);
    }
    throw error;
  }
}

function checkedFingerprint(value: string | null | undefined): string | null {
  if (value === null || value === undefined) {
    return null;
  }
  const normalized = normalizeFingerprint(value);
  if (normalized === undefined) {
    throw invalidFields('body', [
      {
        path: ['hostKeyFingerprint'],
        message: `${JSON.stringify(value.slice(0, 80))} is not a SHA256 fingerprint; copy it from ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub on the host, such as SHA256:abc…`,
      },
    ]);
  }
  return normalized;
}

function duplicateName(error: unknown, name: string): unknown {
  if (error instanceof UniqueConstraintError) {
    return conflict(
      'duplicate_name',
      `A GPU host named ${JSON.stringify(name)} already exists; pick another name.`,
    );
  }
  return error;
}
