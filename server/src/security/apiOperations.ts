// Helpers for the suites that walk every operation of /api/openapi.json: the operations with
// their parameters and body schema, and a request function with a per-request timeout.
import assert from 'node:assert/strict';
import type { TestServer } from '../testing/testServer.js';

/** A JSON Schema as the OpenAPI document contains it, reduced to the keys the suites read. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** The schema of a query parameter, reduced to the keys that tell free text from typed values. */
export interface QuerySchema {
  type?: string | string[];
  pattern?: string;
  enum?: unknown[];
  format?: string;
}

/** One operation of the OpenAPI document. */
export interface ApiOperation {
  method: string;
  /** The path as the document writes it, such as `/api/providers/{id}`. */
  template: string;
  /** Whether the operation needs a bearer token. */
  secured: boolean;
  /** Whether only admins may call it: `/api/admin/...` and `/api/gpu-hosts...`. */
  adminOnly: boolean;
  pathParams: string[];
  queryParams: { name: string; schema: QuerySchema }[];
  /** The request body schema, when the operation takes a JSON body. */
  body?: JsonSchema;
}

/** The response of {@link send}: status, headers, raw text and the JSON body when it parses. */
export interface SentResponse {
  status: number;
  headers: Headers;
  text: string;
  json: { error?: { code?: unknown; message?: unknown } } | undefined;
}

export interface SendOptions {
  token?: string;
  headers?: Record<string, string>;
  /** Sent as is; a plain object is sent as JSON. */
  body?: string | Buffer | object;
  /** Milliseconds before the request counts as hung; 15 s unless given. */
  timeoutMs?: number;
}

interface DocumentOperation {
  security?: unknown[];
  parameters?: { name: string; in: string; schema: QuerySchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

/** Reads /api/openapi.json and lists every operation in it. */
export async function listOperations(server: TestServer): Promise<ApiOperation[]> {
  const response = await server.request<{
    paths: Record<string, Record<string, DocumentOperation>>;
  }>('GET', '/api/openapi.json');
  assert.equal(response.status, 200);
  const operations: ApiOperation[] = [];
  for (const [template, methods] of Object.entries(response.body.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const parameters = operation.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        template,
        secured: operation.security !== undefined,
        adminOnly: /^\/api\/(admin|gpu-hosts)(\/|$)/.test(template),
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: parameters
          .filter((p) => p.in === 'query')
          .map((p) => ({ name: p.name, schema: p.schema })),
        body: operation.requestBody?.content['application/json']?.schema,
      });
    }
  }
  return operations;
}

/** Fills every path parameter of `operation` from `values`, or with `fallback`. */
export function fillPath(
  operation: ApiOperation,
  fallback: string,
  values: Record<string, string> = {},
): string {
  return operation.template.replace(/\{(\w+)\}/g, (_match, name: string) =>
    encodeURIComponent(values[name] ?? fallback),
  );
}

/** Names an operation in assertion messages, such as `GET /api/providers/{id}`. */
export function operationName(operation: ApiOperation): string {
  return `${operation.method} ${operation.template}`;
}

/** Sends one request; it fails with a clear message when no response arrives in time. */
export async function send(
  server: TestServer,
  method: string,
  urlPath: string,
  options: SendOptions = {},
): Promise<SentResponse> {
  const headers: Record<string, string> = {};
  let body: string | Buffer | undefined;
  if (options.body !== undefined) {
    const isRaw = typeof options.body === 'string' || Buffer.isBuffer(options.body);
    body = isRaw ? (options.body as string | Buffer) : JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  if (options.token !== undefined) {
    headers.Authorization = `Bearer ${options.token}`;
  }
  Object.assign(headers, options.headers);

  const timeoutMs = options.timeoutMs ?? 15_000;
  let response: Response;
  try {
    response = await fetch(`${server.url}${urlPath}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    throw new Error(`${method} ${urlPath.slice(0, 200)} got no response in ${timeoutMs} ms`, {
      cause: error,
    });
  }

  const text = await response.text();
  let json: SentResponse['json'];
  try {
    json = JSON.parse(text) as SentResponse['json'];
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/**
 * Asserts a 4xx response (or `status` exactly) whose body is `{error:{code,message}}` with a
 * non-empty code and message; `label` names the request in the failure message.
 */
export function assertClientError(response: SentResponse, label: string, status?: number): void {
  const shown = `${label} -> ${response.status} ${response.text.slice(0, 300)}`;
  if (status === undefined) {
    assert.ok(response.status >= 400, `expected a 4xx: ${shown}`);
    assert.ok(response.status < 500, `expected a 4xx: ${shown}`);
  } else {
    assert.equal(response.status, status, shown);
  }
  const error = response.json?.error;
  assert.equal(typeof error?.code, 'string', `no error code: ${shown}`);
  assert.notEqual(error?.code, '', `empty error code: ${shown}`);
  assert.equal(typeof error?.message, 'string', `no error message: ${shown}`);
  assert.notEqual(error?.message, '', `empty error message: ${shown}`);
}

/** Runs `work` on every item with at most `limit` at a time; the first failure is thrown. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  });
  await Promise.all(workers);
}
