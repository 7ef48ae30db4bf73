// Request helpers for the dataset tests: multipart bodies built by hand, and raw HTTP requests
// that can send a body slowly, without a Content-Length, or break it off part way.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string;
  /** Makes the part a file part; sent as is in the Content-Disposition header. */
  fileName?: string;
  /** Replaces the part's whole Content-Disposition value, for names written with `filename*`. */
  disposition?: string;
  data: string | Buffer;
}

const BOUNDARY = '----llm-workbench-test-boundary';

/** Builds a multipart/form-data body and its Content-Type. */
export function multipart(parts: FormPart[]): { body: Buffer; contentType: string } {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.disposition ??
      (part.fileName === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.fileName}"`);
    const isFile = part.fileName !== undefined || part.disposition !== undefined;
    const type = !isFile ? '' : 'Content-Type: application/octet-stream\r\n';
    pieces.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    pieces.push(typeof part.data === 'string' ? Buffer.from(part.data) : part.data);
    pieces.push(Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(pieces), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
}

/** The response of a raw request; `json` is the parsed body when it is JSON. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: Record<string, unknown> & { error?: { code: string; message: string; details?: unknown } };
}

export interface RawRequestOptions {
  method: string;
  headers?: Record<string, string>;
  /** Chunks written one by one; a generator can produce a large body without holding it. */
  body?: Buffer | Iterable<Buffer> | AsyncIterable<Buffer>;
  /** Sends no Content-Length, so the body goes out with chunked transfer encoding. */
  chunked?: boolean;
}

/**
 * Sends a request with node:http. The response is returned even when the server responds before
 * the body is sent in full (write errors after the response are ignored).
 */
export function rawRequest(url: string, options: RawRequestOptions): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers };
    if (Buffer.isBuffer(options.body) && options.chunked !== true) {
      headers['Content-Length'] = String(options.body.length);
    }
    const request = http.request(url, { method: options.method, headers });
    let responded = false;
    request.on('response', (response) => {
      responded = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json = {};
        try {
          json = JSON.parse(text) as RawResponse['json'];
        } catch {
          // Not JSON: a download or an empty body.
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, text, json });
      });
      response.on('error', reject);
    });
    request.on('error', (error) => {
      if (!responded) {
        reject(error);
      }
    });
    void writeBody(request, options.body).catch(() => undefined);
  });
}

async function writeBody(
  request: http.ClientRequest,
  body: RawRequestOptions['body'],
): Promise<void> {
  if (body === undefined) {
    request.end();
    return;
  }
  const chunks = Buffer.isBuffer(body) ? [body] : body;
  for await (const chunk of chunks) {
    if (request.destroyed) {
      return;
    }
    if (!request.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          request.off('drain', done);
          request.off('close', done);
          resolve();
        };
        request.on('drain', done);
        request.on('close', done);
      });
    }
  }
  request.end();
}

/**
 * Sends the start of a request body and then breaks the connection, as a client that crashes or
 * loses its network does. Resolves once the socket is closed.
 */
export async function cutOffRequest(
  url: string,
  options: {
    method: string;
    headers: Record<string, string>;
    sent: Buffer;
    declaredLength: number;
  },
): Promise<void> {
  const request = http.request(url, {
    method: options.method,
    headers: { ...options.headers, 'Content-Length': String(options.declaredLength) },
  });
  request.on('error', () => undefined);
  // Listening from the start, because a server that answers early, as with an error, may close
  // the connection before the delay below is over.
  const closed = new Promise<void>((resolve) => request.once('close', () => resolve()));
  request.write(options.sent);
  // Give the server time to read what was sent before the connection breaks.
  await delay(100);
  request.destroy();
  await closed;
}

/** Lists every file under `dir`, relative to it; an absent folder has none. */
export function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort();
}

/** Polls `check` every 20 ms until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) {
      return true;
    }
    await delay(20);
  }
  return check();
}
