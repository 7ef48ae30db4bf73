import type { ZodError } from 'zod';

/** An error with an HTTP status and a stable snake_case code that the API returns as is. */
export class HttpError extends Error {
  override name = 'HttpError';

  readonly details: unknown;
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { details?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new HttpError(400, code, message, { details });

export const unauthorized = (message = 'Sign in again: the access token is missing or invalid.') =>
  new HttpError(401, 'unauthorized', message, { headers: { 'WWW-Authenticate': 'Bearer' } });

export const forbidden = (message = 'This action needs the admin role.') =>
  new HttpError(403, 'forbidden', message);

export const notFound = (what: string, id: string | number) =>
  new HttpError(404, 'not_found', `${what} ${id} was not found.`);

export const conflict = (code: string, message: string, details?: unknown) =>
  new HttpError(409, code, message, { details });

export const tooManyRequests = (retryAfterSeconds: number) =>
  new HttpError(
    429,
    'too_many_attempts',
    `Too many failed attempts; try again in ${retryAfterSeconds} seconds.`,
    { details: { retryAfterSeconds }, headers: { 'Retry-After': String(retryAfterSeconds) } },
  );

export const unsupportedMediaType = () =>
  new HttpError(
    415,
    'unsupported_media_type',
    'Send the request body as JSON with Content-Type: application/json.',
  );

/** One field problem in a 400 response. */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Builds the 400 `validation_failed` error for problems found in one part of a request
 * (`path`, `query` or `body`). The message names the first problem's field; `details.issues`
 * lists all of them.
 */
export function invalidFields(
  location: string,
  problems: readonly { path: readonly PropertyKey[]; message: string }[],
): HttpError {
  const issues: FieldIssue[] = problems.map((problem) => ({
    field: [location, ...problem.path.map(String)].join('.'),
    message: problem.message,
  }));
  const first = issues[0];
  const message =
    first === undefined
      ? `Invalid request ${location}.`
      : `Invalid ${first.field}: ${first.message}`;
  return new HttpError(400, 'validation_failed', message, { details: { issues } });
}

/**
 * Turns a ZodError into a 400 whose message names the first bad field and what it expected,
 * with every problem listed in `details.issues`.
 */
export function validationError(location: string, error: ZodError): HttpError {
  return invalidFields(location, error.issues);
}
