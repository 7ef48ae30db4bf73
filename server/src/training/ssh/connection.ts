import { EventEmitter } from 'node:events';
import net from 'node:net';
import { Client, type ClientChannel, type SFTPWrapper } from 'ssh2';
import { fingerprintOf, keyTypeOf } from './keys.js';
import { HostKeyMismatchError, HostKeyNotConfirmedError, SshError } from './errors.js';

/** Address, user and key of a connection, with the host key fingerprint the host must present. */
export interface SshTarget {
  host: string;
  port: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  /** The confirmed `SHA256:` fingerprint; connecting is refused while it is null. */
  hostKeyFingerprint: string | null;
  /** Time limit for the TCP connection and the SSH handshake together, in milliseconds. */
  readyTimeoutMs: number;
  /** How often to send SSH keepalives, in milliseconds; 3 unanswered ones close the connection. */
  keepaliveIntervalMs: number;
}

/** The outcome of one remote command. */
export interface ExecResult {
  /** The exit status, or null when the command ended by a signal or the channel closed early. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/** SFTP status code for a missing file (SSH_FX_NO_SUCH_FILE). */
const SFTP_NO_SUCH_FILE = 2;
/** SFTP status code for a read past the end of a file (SSH_FX_EOF). */
const SFTP_EOF = 1;
/** Output kept per stream of one command; the rest is dropped so a chatty command cannot fill memory. */
const MAX_EXEC_OUTPUT_BYTES = 1024 * 1024;
/** Bytes asked for by one SFTP read request; a server may return fewer, and readRange reads on. */
const SFTP_READ_CHUNK = 64 * 1024;

/**
 * One authenticated SSH connection with a cached SFTP session. It emits `close` once, when the
 * connection ends for any reason; a closed connection is not reused.
 */
export class SshConnection extends EventEmitter {
  private sftpSession: Promise<SFTPWrapper> | undefined;
  private isClosed = false;

  private constructor(
    private readonly client: Client,
    /** The TCP socket under the connection; tests destroy it to simulate a network failure. */
    readonly socket: net.Socket,
  ) {
    super();
    client.once('close', () => {
      this.isClosed = true;
      this.emit('close');
    });
    // Errors after the handshake also end in `close`, which is what users of this class watch.
    client.on('error', () => undefined);
  }

  /** Connects, checks the host key against the pinned fingerprint and authenticates. */
  static open(target: SshTarget): Promise<SshConnection> {
    const pinned = target.hostKeyFingerprint;
    if (pinned === null) {
      return Promise.reject(new HostKeyNotConfirmedError(target.host, target.port));
    }
    return new Promise((resolve, reject) => {
      const client = new Client();
      const socket = net.connect({ host: target.host, port: target.port });
      let presented: string | undefined;
      const fail = (error: Error) => {
        client.removeAllListeners('ready');
        socket.destroy();
        if (presented !== undefined && presented !== pinned) {
          reject(new HostKeyMismatchError(target.host, target.port, pinned, presented));
        } else {
          reject(SshError.fromConnectError(target, error));
        }
      };
      client.once('error', fail);
      client.once('ready', () => {
        client.off('error', fail);
        resolve(new SshConnection(client, socket));
      });
      client.connect({
        sock: socket,
        username: target.username,
        privateKey: target.privateKey,
        ...(target.passphrase === undefined ? {} : { passphrase: target.passphrase }),
        readyTimeout: target.readyTimeoutMs,
        keepaliveInterval: target.keepaliveIntervalMs,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          presented = fingerprintOf(key);
          return presented === pinned;
        },
      });
    });
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /**
   * Runs a command through the login shell. Pass only fixed text and values quoted with
   * shellQuote. Rejects when the channel cannot open or the time limit passes.
   */
  exec(command: string, timeoutMs: number): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, channel) => {
        if (error) {
          reject(new SshError('ssh_exec_failed', `Could not run a command: ${error.message}`));
          return;
        }
        collectOutput(channel, timeoutMs, resolve, reject);
      });
    });
  }

  /** Returns the connection's SFTP session, opening it on first use. */
  sftp(): Promise<SFTPWrapper> {
    this.sftpSession ??= new Promise<SFTPWrapper>((resolve, reject) => {
      this.client.sftp((error, sftp) => {
        if (error) {
          this.sftpSession = undefined;
          reject(new SshError('sftp_failed', `Could not open SFTP: ${error.message}`));
          return;
        }
        sftp.once('close', () => {
          this.sftpSession = undefined;
        });
        resolve(sftp);
      });
    });
    return this.sftpSession;
  }

  /** Writes a whole file over SFTP, replacing it. */
  async writeFile(remotePath: string, data: string | Buffer, mode = 0o644): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => {
      sftp.writeFile(remotePath, data, { mode }, (error) => {
        if (error) {
          reject(sftpError(`write ${remotePath}`, error));
          return;
        }
        resolve();
      });
    });
  }

  /** Copies a local file to the host over SFTP. */
  async uploadFile(localPath: string, remotePath: string): Promise<void> {
    const sftp = await this.sftp();
    await new Promise<void>((resolve, reject) => {
      sftp.fastPut(localPath, remotePath, (error) => {
        if (error) {
          reject(sftpError(`upload to ${remotePath}`, error));
          return;
        }
        resolve();
      });
    });
  }

  /**
   * Reads a file from byte `offset`, at most `maxBytes`. Returns null when the file does not
   * exist; `size` is the file's size when it was opened.
   */
  async readFrom(
    remotePath: string,
    offset: number,
    maxBytes: number,
  ): Promise<{ data: Buffer; size: number } | null> {
    const sftp = await this.sftp();
    const handle = await openForReading(sftp, remotePath);
    if (handle === null) {
      return null;
    }
    try {
      const size = await fileSize(sftp, handle, remotePath);
      const wanted = Math.max(0, Math.min(maxBytes, size - offset));
      const data = await readRange(sftp, handle, { offset, length: wanted }, remotePath);
      return { data, size };
    } finally {
      sftp.close(handle, () => undefined);
    }
  }

  /** Lists the names in a directory, or returns null when it does not exist. */
  async readdir(remotePath: string): Promise<string[] | null> {
    const sftp = await this.sftp();
    return new Promise((resolve, reject) => {
      sftp.readdir(remotePath, (error, list) => {
        if (error) {
          if (sftpCode(error) === SFTP_NO_SUCH_FILE) {
            resolve(null);
            return;
          }
          reject(sftpError(`list ${remotePath}`, error));
          return;
        }
        resolve(list.map((entry) => entry.filename));
      });
    });
  }

  /** Ends the connection; `close` follows. */
  close(): void {
    this.client.end();
    this.socket.destroy();
  }
}

/**
 * Reads the host key a server presents without authenticating: the verifier records the key and
 * refuses it, which ends the handshake.
 */
export function scanHostKey(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<{ fingerprint: string; keyType: string }> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let found: { fingerprint: string; keyType: string } | undefined;
    client.once('error', (error) => {
      client.end();
      if (found !== undefined) {
        resolve(found);
        return;
      }
      reject(SshError.fromConnectError({ host, port }, error));
    });
    client.connect({
      host,
      port,
      username: 'host-key-scan',
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        found = { fingerprint: fingerprintOf(key), keyType: keyTypeOf(key) };
        return false;
      },
    });
  });
}

function collectOutput(
  channel: ClientChannel,
  timeoutMs: number,
  resolve: (result: ExecResult) => void,
  reject: (error: Error) => void,
): void {
  const stdout = new BoundedText();
  const stderr = new BoundedText();
  let code: number | null = null;
  const timer = setTimeout(() => {
    channel.close();
    reject(new SshError('ssh_timeout', `A remote command took longer than ${timeoutMs} ms.`));
  }, timeoutMs);
  channel.on('data', (chunk: Buffer) => stdout.add(chunk));
  channel.stderr.on('data', (chunk: Buffer) => stderr.add(chunk));
  channel.on('exit', (exitCode: number | null) => {
    code = typeof exitCode === 'number' ? exitCode : null;
  });
  channel.on('close', () => {
    clearTimeout(timer);
    resolve({ code, stdout: stdout.text(), stderr: stderr.text() });
  });
}

/** Collects output up to MAX_EXEC_OUTPUT_BYTES. */
class BoundedText {
  private readonly chunks: Buffer[] = [];
  private length = 0;

  add(chunk: Buffer): void {
    if (this.length < MAX_EXEC_OUTPUT_BYTES) {
      const kept = chunk.subarray(0, MAX_EXEC_OUTPUT_BYTES - this.length);
      this.chunks.push(kept);
      this.length += kept.length;
    }
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

function sftpCode(error: Error): number | undefined {
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function sftpError(action: string, error: Error): SshError {
  return new SshError('sftp_failed', `SFTP could not ${action}: ${error.message}`);
}

function openForReading(sftp: SFTPWrapper, remotePath: string): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    sftp.open(remotePath, 'r', (error, handle) => {
      if (error) {
        if (sftpCode(error) === SFTP_NO_SUCH_FILE) {
          resolve(null);
          return;
        }
        reject(sftpError(`open ${remotePath}`, error));
        return;
      }
      resolve(handle);
    });
  });
}

function fileSize(sftp: SFTPWrapper, handle: Buffer, remotePath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    sftp.fstat(handle, (error, stats) => {
      if (error) {
        reject(sftpError(`stat ${remotePath}`, error));
        return;
      }
      resolve(stats.size);
    });
  });
}

/** Reads `length` bytes from `offset`, in several requests; stops early at the end of the file. */
async function readRange(
  sftp: SFTPWrapper,
  handle: Buffer,
  { offset, length }: { offset: number; length: number },
  remotePath: string,
): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const want = Math.min(SFTP_READ_CHUNK, length - filled);
    const got = await new Promise<number>((resolve, reject) => {
      sftp.read(handle, buffer, filled, want, offset + filled, (error, bytesRead) => {
        if (error) {
          if (sftpCode(error) === SFTP_EOF) {
            resolve(0);
            return;
          }
          reject(sftpError(`read ${remotePath}`, error));
          return;
        }
        resolve(bytesRead);
      });
    });
    if (got === 0) {
      break;
    }
    filled += got;
  }
  return buffer.subarray(0, filled);
}
