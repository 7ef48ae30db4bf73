import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Writes `piece` again and again until `totalBytes` are written, waiting for the socket to drain
 * between writes, then ends the response when `end` is set. It stops early when the client leaves.
 */
export function writeRepeated(
  response: http.ServerResponse,
  piece: string,
  totalBytes: number,
  end: boolean,
): void {
  let sent = 0;
  const more = (): void => {
    while (sent < totalBytes && !response.destroyed) {
      sent += piece.length;
      if (!response.write(piece)) {
        response.once('drain', more);
        return;
      }
    }
    if (end) {
      response.end();
    }
  };
  more();
}

/** A loopback HTTP server for one test, with its base URL. */
export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Starts `handler` on 127.0.0.1 at a free port. */
export async function startLoopbackServer(handler: http.RequestListener): Promise<LoopbackServer> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
    },
  };
}

/**
 * Starts a server whose every response is `prefix` followed by 9 MiB of `x` that never ends its
 * line or event, as a provider that sends one endless stream event would.
 */
export function startEndlessBodyServer(
  contentType: string,
  prefix: string,
): Promise<LoopbackServer> {
  return startLoopbackServer((_request, response) => {
    response.writeHead(200, { 'content-type': contentType });
    response.write(prefix);
    writeRepeated(response, 'x'.repeat(64 * 1024), 9 * 1024 * 1024, false);
  });
}
