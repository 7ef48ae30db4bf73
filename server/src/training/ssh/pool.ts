import type { GpuHost } from '../../models/index.js';
import { SshConnection, type SshTarget } from './connection.js';

interface Entry {
  /** The host row's update time: a changed host gets a new connection. */
  version: number;
  pending: Promise<SshConnection>;
  connection?: SshConnection;
}

/**
 * One shared SSH connection per GPU host, opened on demand. A closed or failed connection is
 * forgotten, so the next `acquire` connects again; callers retry with their own backoff.
 */
export class SshConnectionPool {
  private readonly entries = new Map<number, Entry>();
  private closedForGood = false;

  constructor(private readonly targetFor: (host: GpuHost) => SshTarget) {}

  async acquire(host: GpuHost): Promise<SshConnection> {
    if (this.closedForGood) {
      throw new Error('The SSH connection pool is closed because the server is stopping.');
    }
    const version = host.updatedAt.getTime();
    const entry = this.entries.get(host.id);
    if (entry !== undefined && entry.version === version) {
      const connection = await entry.pending.catch(() => undefined);
      if (connection !== undefined && !connection.closed) {
        return connection;
      }
    } else if (entry !== undefined) {
      this.drop(host.id);
    }
    return this.connect(host, version);
  }

  /** Returns the open connection to a host, if there is one. */
  peek(hostId: number): SshConnection | undefined {
    const connection = this.entries.get(hostId)?.connection;
    return connection?.closed === false ? connection : undefined;
  }

  /** Closes a host's connection and removes it from the pool, such as after the host changed. */
  drop(hostId: number): void {
    const entry = this.entries.get(hostId);
    this.entries.delete(hostId);
    void entry?.pending.then(
      (connection) => connection.close(),
      () => undefined,
    );
  }

  /** Closes every connection and refuses new ones. */
  closeAll(): void {
    this.closedForGood = true;
    for (const hostId of [...this.entries.keys()]) {
      this.drop(hostId);
    }
  }

  private connect(host: GpuHost, version: number): Promise<SshConnection> {
    const entry: Entry = { version, pending: SshConnection.open(this.targetFor(host)) };
    this.entries.set(host.id, entry);
    const forget = () => {
      if (this.entries.get(host.id) === entry) {
        this.entries.delete(host.id);
      }
    };
    entry.pending.then((connection) => {
      entry.connection = connection;
      connection.once('close', forget);
      if (this.closedForGood) {
        connection.close();
      }
    }, forget);
    return entry.pending;
  }
}
