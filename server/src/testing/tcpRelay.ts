// A TCP relay on 127.0.0.1 for fault tests, which forwards connections to a target port. It can
// stop forwarding while keeping every socket open, as a frozen server or a network that drops
// packets would. It can also delay what it forwards, as a slow server would.
import net from 'node:net';

/** One accepted connection and the connection to the target that it is forwarded to. */
interface RelayedPair {
  client: net.Socket;
  target?: net.Socket;
  /** Bytes held while the relay hangs, by direction. */
  heldForTarget: Buffer[];
  heldForClient: Buffer[];
  clientClosed: boolean;
  targetClosed: boolean;
}

/**
 * Forwards TCP connections from a port on 127.0.0.1 to `targetPort` on 127.0.0.1. While it hangs,
 * it accepts connections and reads what arrives but forwards nothing, and it also holds back the
 * closing of either side, so neither end gets an error. `resume()` sends what was held.
 */
export class TcpRelay {
  private readonly pairs = new Set<RelayedPair>();
  private hanging = false;
  private delayMs = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /** Starts a relay on a free port of 127.0.0.1. */
  static async start(targetPort: number): Promise<TcpRelay> {
    const server = net.createServer();
    const relay = new TcpRelay(server, targetPort);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return relay;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** Connections from clients that the client has not closed yet. */
  get openClientConnections(): number {
    return [...this.pairs].filter((pair) => !pair.clientClosed).length;
  }

  /** Stops forwarding bytes and closes in both directions, and keeps every socket open. */
  hang(): void {
    this.hanging = true;
  }

  /** Forwards again, starting with what was held, and opens held-back target connections. */
  resume(): void {
    this.hanging = false;
    for (const pair of this.pairs) {
      this.flush(pair);
    }
  }

  /** Delays each forwarded chunk by `ms` milliseconds, in both directions; 0 stops delaying. */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Closes the listener and every relayed socket. */
  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.target?.destroy();
    }
    this.pairs.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const pair: RelayedPair = {
      client,
      heldForTarget: [],
      heldForClient: [],
      clientClosed: false,
      targetClosed: false,
    };
    this.pairs.add(pair);
    client.on('data', (chunk: Buffer) => {
      pair.heldForTarget.push(chunk);
      this.flush(pair);
    });
    // A reset or an end both count as closed; the error itself matters to no one here.
    client.on('error', () => undefined);
    client.on('close', () => {
      pair.clientClosed = true;
      this.flush(pair);
    });
    this.flush(pair);
  }

  private connectTarget(pair: RelayedPair): net.Socket {
    const target = net.connect(this.targetPort, '127.0.0.1');
    target.on('data', (chunk: Buffer) => {
      pair.heldForClient.push(chunk);
      this.flush(pair);
    });
    target.on('error', () => undefined);
    target.on('close', () => {
      pair.targetClosed = true;
      this.flush(pair);
    });
    return target;
  }

  /** Forwards held bytes and closes, unless the relay hangs. */
  private flush(pair: RelayedPair): void {
    if (this.hanging) {
      return;
    }
    if (pair.target === undefined && !pair.clientClosed) {
      pair.target = this.connectTarget(pair);
    }
    const target = pair.target;
    this.forward(pair.heldForTarget.splice(0), target);
    this.forward(pair.heldForClient.splice(0), pair.client);
    if (pair.clientClosed || pair.targetClosed) {
      this.after(() => {
        target?.destroy();
        pair.client.destroy();
        this.pairs.delete(pair);
      });
    }
  }

  private forward(chunks: Buffer[], to: net.Socket | undefined): void {
    if (chunks.length === 0 || to === undefined) {
      return;
    }
    const data = Buffer.concat(chunks);
    this.after(() => {
      if (!to.destroyed) {
        to.write(data);
      }
    });
  }

  /** Runs `step` now, or after the delay; equal delays keep their order. */
  private after(step: () => void): void {
    if (this.delayMs === 0) {
      step();
    } else {
      setTimeout(step, this.delayMs);
    }
  }
}
