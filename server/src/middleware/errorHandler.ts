import type { Socket } from 'node:net';
import type { Next } from 'koa';
import {
  ConnectionAcquireTimeoutError,
  ConnectionError,
  DatabaseError,
  ForeignKeyConstraintError,
  UniqueConstraintError,
  ValidationError as SequelizeValidationError,
} from 'sequelize';
import { ZodError } from 'zod';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import type { AppContext } from '../context.js';
import { isSqliteBusy, SQLITE_BUSY_TIMEOUT_MS } from '../db/connect.js';
import { QueryTimeoutError } from '../db/mysqlTimeouts.js';
import { HttpError, validationError } from '../errors.js';

/** Status codes raised by Koa and its middleware (body parser, router, koa-jwt), by code. */
const KOA_ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
};

/**
 * Maps every thrown error to `{ error: { code, message, details? } }` with its status. Unknown
 * errors become a generic 500 whose stack goes only to the log.
 */
export async function errorHandler(ctx: AppContext, next: Next): Promise<void> {
  try {
    await next();
    const unmatched = unmatchedRouteError(ctx);
    if (unmatched !== undefined) {
      throw unmatched;
    }
  } catch (caught) {
    const error = toHttpError(caught, ctx);
    for (const [name, value] of Object.entries(error.headers)) {
      ctx.set(name, value);
    }
    ctx.status = error.status;
    if (error.status === 413) {
      closeAfterResponse(ctx);
    }
    const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) {
      body.error.details = error.details;
    }
    ctx.body = body;
  }
}

/** Network error codes of a database connection that broke while it was in the pool. */
const LOST_CONNECTION_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'PROTOCOL_CONNECTION_LOST',
]);

/**
 * Reports whether a query failed because its pooled connection was lost, as after a database
 * restart: mysql2 marks such errors fatal. Sequelize reports them as a plain DatabaseError.
 */
function isLostConnection(caught: unknown): boolean {
  if (!(caught instanceof DatabaseError)) {
    return false;
  }
  const parent = caught.parent as { fatal?: unknown; code?: unknown } | undefined;
  return (
    parent?.fatal === true ||
    (typeof parent?.code === 'string' && LOST_CONNECTION_CODES.has(parent.code))
  );
}

/**
 * Reports whether a query failed because MySQL did not respond within a limit set in
 * db/mysqlTimeouts.ts: no free pool connection, no handshake (mysql2's `ETIMEDOUT`), or no
 * query result.
 */
function isDatabaseTimeout(caught: unknown): boolean {
  if (caught instanceof ConnectionAcquireTimeoutError) {
    return true;
  }
  if (!(caught instanceof ConnectionError || caught instanceof DatabaseError)) {
    return false;
  }
  const parent: unknown = caught.parent;
  return parent instanceof QueryTimeoutError || (parent as { code?: unknown }).code === 'ETIMEDOUT';
}

/**
 * Ends the connection once an error response is sent while the request body is still arriving,
 * as after a 413. Node would otherwise keep reading the rest of the body to reuse the
 * connection, and a client that never stops sending would be read from forever.
 */
function closeAfterResponse(ctx: AppContext): void {
  ctx.set('Connection', 'close');
  // Node ends a `Connection: close` response with socket.destroySoon(), which destroys the socket
  // as soon as the response is written. Closing a socket with unread input sends a TCP reset, and
  // the reset can make the client drop the response it has not read yet. So this socket only ends
  // its side, keeps reading and discarding what still arrives, and is destroyed after a moment.
  const socket = ctx.req.socket as Socket & { destroySoon?: () => void };
  socket.destroySoon = () => {
    socket.end();
    socket.resume();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  };
}

/** How long a connection closed after an error response still reads and discards input. */
const LINGER_MS = 1_000;

/**
 * Returns the API error for a response the router left without a body: 404 under `/api`, 405
 * with the `Allow` header the router set, and 501 for a method no route uses.
 */
function unmatchedRouteError(ctx: AppContext): HttpError | undefined {
  if (ctx.body !== undefined) {
    return undefined;
  }
  if (ctx.status === 404 && ctx.path.startsWith('/api')) {
    return new HttpError(404, 'not_found', `No route matches ${ctx.method} ${ctx.path}.`);
  }
  if (ctx.status === 405) {
    const allow = ctx.response.get('Allow');
    return new HttpError(
      405,
      'method_not_allowed',
      `${ctx.method} is not allowed on ${ctx.path}; use ${allow}.`,
      { headers: { Allow: allow } },
    );
  }
  if (ctx.status === 501) {
    return new HttpError(
      501,
      'not_implemented',
      `The server does not support the ${ctx.method} method.`,
    );
  }
  return undefined;
}

function toHttpError(caught: unknown, ctx: AppContext): HttpError {
  if (caught instanceof HttpError) {
    return caught;
  }
  if (caught instanceof ZodError) {
    return validationError('request', caught);
  }
  // Sequelize's SQLite dialect reports every constraint failure, a trigger's RAISE(ABORT) among
  // them, as a UniqueConstraintError. One without fields is no duplicate and becomes a 500.
  const uniqueFields =
    caught instanceof UniqueConstraintError ? Object.keys(caught.fields ?? {}) : [];
  if (uniqueFields.length > 0) {
    const fields = uniqueFields;
    return new HttpError(
      409,
      'conflict',
      `A record with this ${fields.join(', ')} already exists.`,
      { details: { fields } },
    );
  }
  if (caught instanceof ForeignKeyConstraintError) {
    return new HttpError(409, 'conflict', 'The record is still referenced by other records.');
  }
  if (caught instanceof SequelizeValidationError && caught.errors.length > 0) {
    const issues = caught.errors.map((item) => ({ field: item.path, message: item.message }));
    return new HttpError(400, 'validation_failed', caught.errors[0]?.message ?? '', {
      details: { issues },
    });
  }
  if (isDatabaseTimeout(caught)) {
    ctx.state.log.error({ err: caught }, 'database timed out');
    return new HttpError(
      503,
      'database_unavailable',
      'The database timed out; try again in a minute.',
    );
  }
  if (isSqliteBusy(caught)) {
    ctx.state.log.error({ err: caught }, 'database locked');
    return new HttpError(
      503,
      'database_busy',
      `The database stayed locked by another writer for ${SQLITE_BUSY_TIMEOUT_MS / 1000} s; ` +
        'try again.',
    );
  }
  if (caught instanceof ConnectionError || isLostConnection(caught)) {
    ctx.state.log.error({ err: caught }, 'database unavailable');
    return new HttpError(503, 'database_unavailable', 'The database is unavailable; try again.');
  }
  const status = statusOf(caught);
  if (status !== undefined && status >= 400 && status < 500) {
    return fromKoaError(caught as Error, status);
  }
  ctx.state.log.error({ err: caught }, 'unhandled error');
  return new HttpError(
    500,
    'internal_error',
    `Internal server error; the server log has details under request id ${ctx.state.requestId}.`,
  );
}

function fromKoaError(error: Error, status: number): HttpError {
  const code = KOA_ERROR_CODES[status] ?? 'bad_request';
  if (status === 401) {
    const original = (error as { originalError?: Error }).originalError;
    const message =
      original?.name === 'TokenExpiredError'
        ? 'The access token has expired; refresh it or sign in again.'
        : 'Sign in again: the access token is missing or invalid.';
    return new HttpError(401, code, message, { headers: { 'WWW-Authenticate': 'Bearer' } });
  }
  if (status === 413) {
    return new HttpError(413, code, 'The request body is too large.');
  }
  return new HttpError(status, code, error.message);
}

function statusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const status =
    (error as { status?: unknown; statusCode?: unknown }).status ??
    (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}
