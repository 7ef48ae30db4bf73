// Misbehaviour any fake provider can play, for the tests of the clients' defences: redirects,
// error bodies that echo the credentials, oversized model lists and model lists of the wrong
// shape. A fake passes these options through from its own options.
import type http from 'node:http';

export interface HostileOptions {
  /** Redirects every request to this URL with a 307, as a moved or malicious server would. */
  redirectTo?: string;
  /**
   * Rejects every request with a 401 whose message quotes the request's Authorization,
   * x-api-key and `x-custom-*` headers, as is and base64 encoded, as some proxies do.
   */
  echoCredentials?: boolean;
  /**
   * Sends the model list as a 200 JSON body of about this many bytes, sent in chunks without
   * a Content-Length. `onSent` gets how many bytes went out before the client closed.
   */
  hugeBody?: { bytes: number; onSent?: (bytes: number) => void };
  /** Sends this body as the model list, such as an HTML page or `{"data":"nope"}`. */
  listBody?: { contentType: string; body: string };
}

const CHUNK = Buffer.alloc(64 * 1024, 0x20);

/** The request a fake passes to playHostile, with the fake's own error format. */
export interface HostileRequest {
  request: http.IncomingMessage;
  response: http.ServerResponse;
  isModelList: boolean;
  /** Writes a message in the fake's own error format. */
  errorBody: (message: string) => string;
}

/** Plays the misbehaviour the options request, and returns whether it sent the response. */
export function playHostile(
  options: HostileOptions,
  { request, response, isModelList, errorBody }: HostileRequest,
): boolean {
  if (options.redirectTo !== undefined) {
    response.writeHead(307, { location: options.redirectTo, 'content-type': 'text/plain' });
    response.end(`Moved to ${options.redirectTo}`);
    return true;
  }
  if (options.echoCredentials === true) {
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(errorBody(`Unauthorized request with ${echoedCredentials(request)}`));
    return true;
  }
  if (!isModelList) {
    return false;
  }
  if (options.hugeBody !== undefined) {
    void sendHugeBody(response, options.hugeBody);
    return true;
  }
  if (options.listBody !== undefined) {
    response.writeHead(200, { 'content-type': options.listBody.contentType });
    response.end(options.listBody.body);
    return true;
  }
  return false;
}

function echoedCredentials(request: http.IncomingMessage): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'authorization' || name === 'x-api-key' || name.startsWith('x-custom-')) {
      const text = String(value);
      parts.push(`${name}: ${text} (base64 ${Buffer.from(text).toString('base64')})`);
    }
  }
  return parts.join('; ');
}

/** Writes a JSON model list padded to `bytes`, stopping when the client closes the connection. */
async function sendHugeBody(
  response: http.ServerResponse,
  huge: NonNullable<HostileOptions['hugeBody']>,
): Promise<void> {
  let sent = 0;
  let closed = false;
  response.on('close', () => {
    closed = true;
  });
  response.writeHead(200, { 'content-type': 'application/json' });
  const write = (chunk: Buffer | string): Promise<void> =>
    new Promise((resolve) => {
      sent += Buffer.byteLength(chunk);
      if (response.write(chunk)) {
        resolve();
      } else {
        response.once('drain', resolve);
        response.once('close', resolve);
      }
    });
  await write('{"object":"list","data":[],"padding":"');
  while (!closed && sent < huge.bytes) {
    await write(CHUNK);
  }
  if (!closed) {
    response.end('"}');
  }
  huge.onSent?.(sent);
}
