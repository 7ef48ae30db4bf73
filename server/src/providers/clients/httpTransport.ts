// A fetch for the provider SDKs that sends requests over node:http and node:https. Node's built-in
// fetch kept about 28 KiB more per open answer stream in a heap profile, and it takes no DNS
// lookup function, so it could not check the address it connects to.
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Duplex } from 'node:stream';
import { ReadableStream } from 'node:stream/web';
import { rejectAddress, type PrivateNetworkAccess } from './addressPolicy.js';
import { ProviderError } from './types.js';

/** Keep-alive agents by protocol and address access, shared by every provider call. */
const agents = new Map<string, http.Agent>();

/** The response bodies as Node streams, for readers that take them without a web stream. */
const nodeBodies = new WeakMap<Response, http.IncomingMessage>();

/** Bodies whose reader is done and whose rest is being read and dropped (see releaseBody). */
const releasing = new WeakSet<http.IncomingMessage>();

/** The most of a released body that is read and dropped before its connection is closed. */
const RELEASE_LIMIT_BYTES = 64 * 1024;

/** The maximum time a released body may take to end before its connection is closed. */
const RELEASE_LIMIT_MS = 1000;

/** The maximum size of one event of an event stream read through `response.body`. */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

const LINE_FEED = 0x0a;

/** How long an idle keep-alive connection is kept for the next request. */
const IDLE_CONNECTION_MS = 4000;

/** Statuses whose responses have no body, which the Response constructor rejects. */
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * Creates a fetch that sends each request over a keep-alive agent whose DNS lookup checks every
 * resolved address against the address policy, so a name cannot resolve to a rejected address
 * between a check and the connection. It never follows redirects, as fetch with
 * `redirect: manual`. Failures before the response reject as fetch does: a TypeError
 * `fetch failed` with the network error as its cause, or the signal's reason on abort.
 */
export function transportFetch(access: PrivateNetworkAccess): typeof fetch {
  return async (input, init) => send(requestUrl(input), init ?? {}, access);
}

/**
 * Returns the chunks of the response body as Node reads them, or undefined for a response this
 * transport did not make. Reading them leaves `response.body` unread, which is not started then.
 * Stopping early leaves the body open: call `releaseBody` once done with it, or abort the request.
 */
export function nodeChunks(response: Response): AsyncIterable<Buffer> | undefined {
  const message = nodeBodies.get(response);
  return message?.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer> | undefined;
}

/**
 * Lets the connection of a body whose reader is done go back to the agent for the next request:
 * what is left of the body, normally only the end of the chunked encoding, is read and dropped.
 * A body that goes on for more than RELEASE_LIMIT_BYTES or RELEASE_LIMIT_MS is closed instead.
 * An abort of the request after this call leaves the body to finish here.
 */
export function releaseBody(response: Response): void {
  const message = nodeBodies.get(response);
  if (message === undefined || message.readableEnded || message.destroyed) {
    return;
  }
  releasing.add(message);
  let dropped = 0;
  const timer = setTimeout(() => message.destroy(), RELEASE_LIMIT_MS);
  message.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > RELEASE_LIMIT_BYTES) {
      message.destroy();
    }
  });
  message.once('close', () => clearTimeout(timer));
  message.resume();
}

function requestUrl(input: string | URL | Request): URL {
  if (input instanceof Request) {
    throw new TypeError('The provider transport takes a URL and options, not a Request object.');
  }
  return new URL(String(input));
}

function send(url: URL, init: RequestInit, access: PrivateNetworkAccess): Promise<Response> {
  const signal = init.signal ?? undefined;
  if (signal?.aborted === true) {
    return Promise.reject(abortError(signal));
  }
  const body = requestBody(init.body);
  const headers = requestHeaders(init.headers, body);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: init.method ?? 'GET',
      headers,
      agent: agentFor(url.protocol, access),
    });
    let response: http.IncomingMessage | undefined;
    let settled = false;
    const fail = (error: unknown): void => {
      stopListening();
      if (!settled) {
        settled = true;
        reject(
          signal?.aborted === true
            ? abortError(signal)
            : new TypeError('fetch failed', { cause: error }),
        );
      }
    };
    const onAbort = (): void => {
      // A body read to its end has handed its connection back to the agent for the next
      // request, so an abort after that, as callers send when they finish, must not close it.
      if (response === undefined) {
        request.destroy(abortError(signal));
        // A request already destroyed emits nothing more, so the abort settles it here.
        fail(abortError(signal));
      } else if (!response.readableEnded && !releasing.has(response)) {
        response.destroy(abortError(signal));
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const stopListening = (): void => signal?.removeEventListener('abort', onAbort);
    request.once('error', fail);
    failWithoutResponse(request, fail, () => response !== undefined);
    request.once('response', (message) => {
      response = message;
      settled = true;
      // A body no longer read can still fail, as when the caller aborts after it stopped
      // reading. Readers see the failure through their own listeners.
      message.on('error', () => undefined);
      message.once('close', stopListening);
      try {
        resolve(toResponse(url, init.method ?? 'GET', message, signal));
      } catch (error) {
        message.destroy();
        reject(new TypeError('fetch failed', { cause: error }));
      }
    });
    request.end(body);
  });
}

/**
 * Fails a request that ends without a response. A provider may not switch protocols: without an
 * `upgrade` listener Node closes the socket, and the request emits neither a response nor an
 * error, so the call would never settle.
 */
function failWithoutResponse(
  request: http.ClientRequest,
  fail: (error: unknown) => void,
  responded: () => boolean,
): void {
  request.once('upgrade', (message: http.IncomingMessage, socket: Duplex) => {
    socket.destroy();
    fail(
      new Error(`The provider replied with HTTP ${message.statusCode ?? 101}, a protocol switch.`),
    );
  });
  request.once('close', () => {
    if (!responded()) {
      fail(new Error('The connection closed before a response arrived.'));
    }
  });
}

/** Copies the headers into a plain object, with the body's length when none is given. */
function requestHeaders(
  initHeaders: RequestInit['headers'],
  body: string | Uint8Array | undefined,
): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(initHeaders).forEach((value, name) => {
    headers[name] = value;
  });
  if (body !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return headers;
}

/** Accepts the bodies the SDKs send: JSON text and bytes. */
function requestBody(body: RequestInit['body']): string | Uint8Array | undefined {
  if (body === undefined || body === null) {
    return undefined;
  }
  if (typeof body === 'string' || body instanceof Uint8Array) {
    return body;
  }
  if (body instanceof ArrayBuffer) {
    return new Uint8Array(body);
  }
  throw new TypeError(
    `The provider transport sends text or byte bodies only, not ${Object.prototype.toString.call(body)}.`,
  );
}

function toResponse(
  url: URL,
  method: string,
  message: http.IncomingMessage,
  signal: AbortSignal | undefined,
): Response {
  const status = message.statusCode ?? 0;
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    headers.append(raw[index] as string, raw[index + 1] as string);
  }
  const init = { status, statusText: message.statusMessage ?? '', headers };
  let response: Response;
  if (NULL_BODY_STATUSES.has(status) || method.toUpperCase() === 'HEAD') {
    message.resume();
    response = new Response(null, init);
  } else {
    response = new Response(webBody(url.host, message, signal), init);
    nodeBodies.set(response, message);
  }
  // A constructed Response has an empty url, which the SDKs read for their logs.
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/**
 * Wraps the body in a web stream that reads only when it is read, so a caller that takes the Node
 * chunks through `nodeChunks` leaves it untouched.
 */
function webBody(
  host: string,
  message: http.IncomingMessage,
  signal: AbortSignal | undefined,
): ReadableStream<Uint8Array> {
  const chunks = message[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const isEventStream = (message.headers['content-type'] ?? '').includes('text/event-stream');
  const gap = isEventStream ? new EventGap(host, message) : undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done === true) {
            controller.close();
          } else {
            const value: Buffer = next.value;
            gap?.check(value);
            controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
          }
        } catch (error) {
          controller.error(error instanceof ProviderError ? error : bodyError(error, signal));
        }
      },
      cancel() {
        message.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Bytes of an event stream since its last blank line, which ends an event. An SDK that parses
 * the stream keeps an unfinished event in memory, so a stream whose event grows past
 * MAX_EVENT_BYTES fails as `too_large` instead of filling the server's memory. A blank line cut
 * across two chunks as CR LF CR LF may go unseen, which only delays the count's reset.
 */
class EventGap {
  private bytes = 0;
  private endedWithLineFeed = false;

  constructor(
    private readonly host: string,
    private readonly message: http.IncomingMessage,
  ) {}

  check(chunk: Buffer): void {
    const boundary = Math.max(chunk.lastIndexOf('\n\n'), chunk.lastIndexOf('\n\r\n'));
    if (boundary !== -1) {
      this.bytes = chunk.length - boundary;
    } else if (this.endedWithLineFeed && (chunk[0] === LINE_FEED || chunk[1] === LINE_FEED)) {
      this.bytes = chunk.length;
    } else {
      this.bytes += chunk.length;
    }
    this.endedWithLineFeed = chunk[chunk.length - 1] === LINE_FEED;
    if (this.bytes > MAX_EVENT_BYTES) {
      this.message.destroy();
      throw new ProviderError(
        'too_large',
        `${this.host} sent a stream event of over ${MAX_EVENT_BYTES / (1024 * 1024)} MiB without ` +
          "ending it, so the stream was stopped; check that the base URL points at the provider's API.",
      );
    }
  }
}

/** Converts a failure while reading a body as fetch does: the abort reason, else `terminated`. */
export function bodyError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted === true) {
    return abortError(signal);
  }
  return new TypeError('terminated', { cause: error });
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error
    ? reason
    : new DOMException('This operation was aborted', 'AbortError');
}

function agentFor(protocol: string, access: PrivateNetworkAccess): http.Agent {
  const key = `${protocol}${access}`;
  let agent = agents.get(key);
  if (agent === undefined) {
    // Idle connections close after 4 s, as with Node's built-in fetch, or sooner when the
    // provider's Keep-Alive header sets a shorter timeout, so a connection the provider is about
    // to close is not reused.
    const options = { keepAlive: true, timeout: IDLE_CONNECTION_MS, lookup: checkedLookup(access) };
    agent = protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(key, agent);
  }
  return agent;
}

/**
 * Returns a DNS lookup that fails with a `blocked_address` ProviderError when any resolved address
 * is one the access may not reach. IP literals skip the lookup; the caller checks them before the
 * request.
 */
function checkedLookup(access: PrivateNetworkAccess): LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error !== null) {
        callback(error, '', 0);
        return;
      }
      for (const { address } of addresses) {
        const rejection = rejectAddress(hostname, address, access);
        if (rejection !== null) {
          callback(new ProviderError('blocked_address', rejection.message), '', 0);
          return;
        }
      }
      if (options.all === true) {
        (callback as unknown as (error: null, addresses: dns.LookupAddress[]) => void)(
          null,
          addresses,
        );
        return;
      }
      const first = addresses[0];
      if (first === undefined) {
        callback(
          Object.assign(new Error(`No address found for ${hostname}.`), { code: 'ENOTFOUND' }),
          '',
          0,
        );
        return;
      }
      callback(null, first.address, first.family);
    });
  };
}
