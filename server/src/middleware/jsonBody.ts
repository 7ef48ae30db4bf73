import { bodyParser } from '@koa/bodyparser';
import type { Next } from 'koa';
import type { AppContext } from '../context.js';
import { HttpError, invalidFields } from '../errors.js';

const MEGABYTE = 1024 * 1024;

/** Content-Encoding values that the body parser can decompress (the `inflation` package). */
const SUPPORTED_ENCODINGS = ['gzip', 'deflate', 'br', 'identity'];

/**
 * Parses JSON request bodies of up to `limitBytes` (counted after decompression) into
 * `ctx.request.body`. Every way a body can fail becomes a 4xx error whose message names what to
 * send instead. Bodies of other types are left unread, and `defineRoute` rejects them with 415
 * on routes that take a body.
 */
export function jsonBody(limitBytes: number) {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: limitBytes,
    encoding: 'utf-8',
    onError: (error) => {
      throw error;
    },
  });
  return async function parseJsonBody(ctx: AppContext, next: Next): Promise<void> {
    try {
      await parse(ctx, () => Promise.resolve());
    } catch (error) {
      throw bodyError(error, ctx, limitBytes);
    }
    const body = (ctx.request as { body?: unknown }).body;
    // co-body's strict mode lets arrays through; every API body is an object.
    if (Array.isArray(body)) {
      throw notAnObject(body);
    }
    // co-body rejects `__proto__` keys itself (see unparsableBodyError) but not this one.
    const prototypeKey =
      typeof body === 'object' && body !== null ? findPrototypeKey(body) : undefined;
    if (prototypeKey !== undefined) {
      throw prototypeKeyError(prototypeKey);
    }
    await next();
  };
}

function bodyError(error: unknown, ctx: AppContext, limitBytes: number): unknown {
  const status = (error as { status?: unknown } | null)?.status;
  const encoding = ctx.get('Content-Encoding').trim().toLowerCase() || 'identity';
  if (status === 413) {
    return new HttpError(
      413,
      'payload_too_large',
      `The request body is larger than ${formatBytes(limitBytes)}; send a smaller JSON body.`,
      { details: { limitBytes } },
    );
  }
  if (status === 415 && !SUPPORTED_ENCODINGS.includes(encoding)) {
    return new HttpError(
      415,
      'unsupported_media_type',
      `Content-Encoding ${JSON.stringify(encoding)} is not supported; send the body ` +
        'uncompressed or compressed with gzip, deflate or br.',
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
  // co-body marks a body it cannot parse as JSON with status 400 and keeps its text in `body`.
  if (status === 400 && error instanceof SyntaxError) {
    return unparsableBodyError(error, (error as { body?: unknown }).body);
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
 * Explains why co-body rejected a body. co-body accepts only objects and arrays, and its parser
 * (@hapi/bourne 3) rejects `__proto__` keys, so a body that is valid JSON gets the same
 * SyntaxError as one that is not. Parsing the text again separates the two cases.
 */
function unparsableBodyError(error: SyntaxError, text: unknown): HttpError {
  let value: unknown;
  try {
    value = typeof text === 'string' ? JSON.parse(text) : undefined;
  } catch (parseError) {
    return new HttpError(
      400,
      'invalid_json',
      `The request body is not valid JSON (${(parseError as Error).message}).`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return typeof text === 'string' ? notAnObject(value) : invalidJson(error);
  }
  const path = findPrototypeKey(value);
  return path === undefined ? invalidJson(error) : prototypeKeyError(path);
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

function invalidJson(error: SyntaxError): HttpError {
  return new HttpError(
    400,
    'invalid_json',
    `The request body is not valid JSON (${error.message}).`,
  );
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
  return bytes % MEGABYTE === 0 ? `${bytes / MEGABYTE} MB` : `${bytes} bytes`;
}
