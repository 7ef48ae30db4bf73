/** Stable codes of SSH failures; routes return them as the error code. */
export type SshErrorCode =
  | 'host_key_changed'
  | 'host_key_not_confirmed'
  | 'ssh_unreachable'
  | 'ssh_auth_failed'
  | 'ssh_timeout'
  | 'ssh_connection_failed'
  | 'ssh_exec_failed'
  | 'sftp_failed';

/** An SSH connection or remote command failure; the message states what failed and what to do. */
export class SshError extends Error {
  override name = 'SshError';

  constructor(
    readonly code: SshErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Whether retrying later may help; a host key or login problem needs an admin first. */
  get retryable(): boolean {
    return !['host_key_changed', 'host_key_not_confirmed', 'ssh_auth_failed'].includes(this.code);
  }

  /** Describes an error from connecting, by its Node or ssh2 cause. */
  static fromConnectError(target: { host: string; port: number }, error: Error): SshError {
    const where = `${target.host}:${target.port}`;
    const code = (error as Error & { code?: unknown }).code;
    const level = (error as Error & { level?: unknown }).level;
    if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return new SshError(
        'ssh_unreachable',
        `Could not connect to ${where} (${String(code)}); check the host, the port and that sshd runs.`,
      );
    }
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return new SshError(
        'ssh_unreachable',
        `The host name ${target.host} could not be resolved (${String(code)}); check the host field.`,
      );
    }
    if (level === 'client-authentication') {
      return new SshError(
        'ssh_auth_failed',
        `${where} refused the private key; add its public half to the user's ~/.ssh/authorized_keys.`,
      );
    }
    if (level === 'client-timeout' || code === 'ETIMEDOUT') {
      return new SshError(
        'ssh_timeout',
        `${where} did not complete the SSH handshake in time; check the port and any firewall.`,
      );
    }
    return new SshError('ssh_connection_failed', `SSH to ${where} failed: ${error.message}`);
  }
}

/**
 * The host presented a key other than the pinned one: the host was reinstalled, or someone is
 * in between. Nothing is sent to it until an admin confirms the new key.
 */
export class HostKeyMismatchError extends SshError {
  override name = 'HostKeyMismatchError';

  constructor(
    host: string,
    port: number,
    readonly expected: string,
    readonly presented: string,
  ) {
    super(
      'host_key_changed',
      `The host key of ${host}:${port} changed: expected ${expected} but the host presented ` +
        `${presented}. If the host was reinstalled, check the new key on the host ` +
        '(ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and confirm it again.',
    );
  }
}

/** No host key is pinned yet, so the host cannot be trusted. */
export class HostKeyNotConfirmedError extends SshError {
  override name = 'HostKeyNotConfirmedError';

  constructor(host: string, port: number) {
    super(
      'host_key_not_confirmed',
      `No host key is confirmed for ${host}:${port}; fetch it with POST ` +
        '/api/gpu-hosts/:id/host-key, compare it with the host, then confirm it.',
    );
  }
}
