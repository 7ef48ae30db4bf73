import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import type { Next } from 'koa';
import getRawBody from 'raw-body';
import type { AppContext } from '../context.js';
import { HttpError, invalidFields } from '../errors.js';

const MEBIBYTE = 1024 * 1024;

/** Methods whose JSON bodies are parsed; a body on any other method is left unread. */
const PARSED_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** Decodes UTF-8 and throws on any invalid byte sequence instead of writing U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export interface JsonBodyOptions {
  /** Largest body accepted, counted after decompression. */
  limitBytes: number;
  /** Requests whose body a route reads as a stream itself, such as file uploads. */
  skip?: (ctx: AppContext) => boolean;
}

/**
 * Parses JSON request bodies into `ctx.request.body`. Every way a body can fail becomes a 4xx
 * error whose message names what to send instead. The failures are: too large, compressed with an
 * unknown or broken encoding, not UTF-8, not JSON, not an object, or a key that can change
 * prototypes.
 * Bodies of other types are left unread, and `defineRoute` rejects them with 415 on routes that
 * take a body.
 */
export function jsonBody(options: JsonBodyOptions) {
  return async function parseJsonBody(ctx: AppContext, next: Next): Promise<void> {
    if (!PARSED_METHODS.has(ctx.method) || options.skip?.(ctx) === true) {
      await next();
      return;
    }
    const request = ctx.request as { body?: unknown };
    request.body = ctx.request.is('application/json', '+json')
      ? await readJsonObject(ctx, options.limitBytes)
      : {};
    await next();
  };
}

async function readJsonObject(ctx: AppContext, limitBytes: number): Promise<object> {
  const bytes = await readBody(ctx, limitBytes);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new HttpError(
      400,
      'invalid_utf8',
      `The request body is not valid UTF-8 (decoding fails at byte ${invalidUtf8Offset(bytes)}); ` +
        'send JSON encoded as UTF-8.',
    );
  }
  if (text.trim() === '') {
    return {};
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(
      400,
      'invalid_json',
      `The request body is not valid JSON (${(error as Error).message}).`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw notAnObject(value);
  }
  const prototypeKey = findPrototypeKey(value);
  if (prototypeKey !== undefined) {
    throw prototypeKeyError(prototypeKey);
  }
  return value;
}

/** Reads the whole body, decompressed, and stops with 413 as soon as it passes `limitBytes`. */
async function readBody(ctx: AppContext, limitBytes: number): Promise<Buffer> {
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase() || 'identity';
  const stream = decompressed(ctx.req, encoding);
  const length = encoding === 'identity' ? ctx.get('Content-Length') || undefined : undefined;
  try {
    return await getRawBody(stream, { limit: limitBytes, length });
  } catch (error) {
    throw bodyError(error, encoding, limitBytes);
  }
}

function decompressed(request: Readable, encoding: string): Readable {
  switch (encoding) {
    case 'identity':
      return request;
    case 'gzip':
    case 'deflate':
      // createUnzip reads both gzip and zlib-wrapped deflate, as browsers send them.
      return request.pipe(zlib.createUnzip());
    case 'br':
      return request.pipe(zlib.createBrotliDecompress());
    default:
      throw new HttpError(
        415,
        'unsupported_media_type',
        `Content-Encoding ${JSON.stringify(encoding)} is not supported; send the body ` +
          'uncompressed or compressed with gzip, deflate or br.',
      );
  }
}

function bodyError(error: unknown, encoding: string, limitBytes: number): unknown {
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.too.large') {
    return new HttpError(
      413,
      'payload_too_large',
      `The request body is larger than ${formatBytes(limitBytes)}; send a smaller JSON body.`,
      { details: { limitBytes } },
    );
  }
  if (type === 'request.size.invalid') {
    return new HttpError(
      400,
      'invalid_content_length',
      'The request body is shorter or longer than its Content-Length header; send the header ' +
        'with the exact byte count, or leave it out.',
    );
  }
  if (isDecompressionError(error)) {
    return new HttpError(
      400,
      'invalid_content_encoding',
      `The request body could not be decompressed as Content-Encoding ${encoding} ` +
        `(${error.message}); send the body uncompressed or compress it with ${encoding}.`,
    );
  }
  return error;
}

/**
 * Reports whether an error comes from zlib decompressing the body: `Z_DATA_ERROR` for data that
 * is not gzip or deflate, `Z_BUF_ERROR` for a truncated stream, and `ERR__ERROR_FORMAT_*` and
 * similar codes from the Brotli decoder (Node 20).
 */
function isDecompressionError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && /^(Z_|ERR__|ERR_BROTLI)/.test(code);
}

/**
 * Returns the offset of the byte at which UTF-8 decoding fails, or the length for a body that ends
 * inside a sequence. Every prefix of a decodable prefix decodes too, so a binary search over prefix
 * lengths finds the longest one.
 */
function invalidUtf8Offset(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (isUtf8Prefix(bytes.subarray(0, middle))) {
      low = middle;
    } else {
      high = middle - 1;
    }
  }
  return low;
}

/** Reports whether `bytes` is valid UTF-8 apart from a sequence cut off at its end. */
function isUtf8Prefix(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function prototypeKeyError(path: string[]): HttpError {
  return invalidFields('body', [
    {
      path,
      message:
        'is not allowed, because __proto__ and constructor.prototype keys can change object prototypes',
    },
  ]);
}

function notAnObject(value: unknown): HttpError {
  return invalidFields('body', [
    { path: [], message: `must be a JSON object, not ${describeJsonValue(value)}` },
  ]);
}

function describeJsonValue(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  return typeof value === 'boolean' ? 'true or false' : `a ${typeof value}`;
}

interface KeyVisit {
  value: object;
  key?: string;
  parent?: KeyVisit;
}

/**
 * Returns the path of the first `__proto__` key, or of a `constructor` key whose object has a
 * `prototype` key: the keys through which merging a body into an object can change prototypes.
 * Visits link to their parent, so the walk is linear in the size of the body at any depth.
 */
function findPrototypeKey(root: object): string[] | undefined {
  const pending: KeyVisit[] = [{ value: root }];
  for (let visit = pending.pop(); visit !== undefined; visit = pending.pop()) {
    for (const [key, item] of Object.entries(visit.value as Record<string, unknown>)) {
      const isObject = typeof item === 'object' && item !== null;
      if (key === '__proto__') {
        return [...keyPath(visit), key];
      }
      if (key === 'constructor' && isObject && Object.hasOwn(item, 'prototype')) {
        return [...keyPath(visit), key, 'prototype'];
      }
      if (isObject) {
        pending.push({ value: item, key, parent: visit });
      }
    }
  }
  return undefined;
}

function keyPath(visit: KeyVisit): string[] {
  const path: string[] = [];
  for (let node: KeyVisit | undefined = visit; node?.key !== undefined; node = node.parent) {
    path.push(node.key);
  }
  return path.reverse();
}

function formatBytes(bytes: number): string {
  return bytes % MEBIBYTE === 0 ? `${bytes / MEBIBYTE} MiB` : `${bytes} bytes`;
}
