import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import type { RouteGroups } from '../routeGroups.js';
import { z } from 'zod';
import { version } from '../../../package.json';
import { createApp } from '../app.js';
import { loginBody, nicknameSchema, registerBody } from '../auth/schemas.js';
import type { AppServices } from '../context.js';
import { ApiRegistry } from '../openapi/registry.js';
import { testDialect, TestServer } from '../testing/testServer.js';

const REPO_ROOT = path.resolve(__dirname, '../../..');
const ALLOWED_ORIGIN = 'http://localhost:3000';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface ErrorBody {
  error: { code: string; message: string };
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends a request with node:http, which keeps the path as written (fetch would resolve `..`) and
 * sends only the headers given: no Content-Type unless `headers` has one.
 */
function rawRequest(
  baseUrl: string,
  method: string,
  requestPath: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return sendRaw(baseUrl, { method, path: requestPath, headers });
}

/** POSTs a body to an API route with exactly the headers given, as rawRequest does. */
function postRaw(
  baseUrl: string,
  requestPath: string,
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<RawResponse> {
  return sendRaw(baseUrl, { method: 'POST', path: requestPath, headers, body });
}

function sendRaw(
  baseUrl: string,
  options: {
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const { method, path: requestPath, headers, body } = options;
  return new Promise((resolve, reject) => {
    const request = http.request({ hostname, port, method, path: requestPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Writes bytes to the server as they are and returns the raw response text. */
function rawExchange(baseUrl: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('end', () => resolve(received));
    socket.on('error', reject);
  });
}

/** `METHOD /api/path/{param}` for every API route the app's routers serve, HEAD excluded. */
function servedApiOperations(services: AppServices): string[] {
  const app = createApp(services);
  const operations: string[] = [];
  for (const middleware of app.middleware) {
    const groups = (middleware as { routeGroups?: RouteGroups }).routeGroups;
    for (const { method, path } of groups?.list() ?? []) {
      if (path.startsWith('/api')) {
        operations.push(`${method} ${path.replace(/:([A-Za-z_]\w*)/g, '{$1}')}`);
      }
    }
  }
  return operations.sort();
}

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, Record<string, unknown>>;
  required?: string[];
};

type OpenApiDocument = {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, Record<string, unknown>>>;
};

function requestBodySchema(document: OpenApiDocument, route: string, method: string): JsonSchema {
  const operation = document.paths[route]?.[method] as
    { requestBody?: { content: { 'application/json': { schema: JsonSchema } } } } | undefined;
  const schema = operation?.requestBody?.content['application/json'].schema;
  assert.ok(schema !== undefined, `${method} ${route} has no JSON request body schema`);
  return schema;
}

function inputJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  delete json.$schema;
  return json;
}

describe(`health and HTTP basics (${testDialect})`, () => {
  let server: TestServer;

  before(async () => {
    // The admin page is served from the esbuild output, so build it like `npm start` does.
    execFileSync(process.execPath, ['esbuild.config.mjs', '--only', 'webviews'], {
      cwd: REPO_ROOT,
      stdio: 'pipe',
    });
    server = await TestServer.start({ CORS_ORIGINS: ALLOWED_ORIGIN });
  });

  after(async () => {
    await server.close();
  });

  test('health reports database and version', async () => {
    const response = await server.request<{
      status: string;
      database: { ok: boolean; dialect: string; error?: string };
      version: string;
      uptimeSeconds: number;
    }>('GET', '/api/health');

    assert.equal(response.status, 200);
    assert.equal(response.body.status, 'ok');
    assert.equal(response.body.database.ok, true);
    assert.equal(response.body.database.dialect, testDialect);
    assert.equal(response.body.database.error, undefined);
    assert.equal(response.body.version, version);
    assert.ok(Number.isInteger(response.body.uptimeSeconds));
    assert.ok(response.body.uptimeSeconds >= 0);
  });

  test('openapi document is OpenAPI 3.1', async () => {
    const response = await server.request<OpenApiDocument>('GET', '/api/openapi.json');

    assert.equal(response.status, 200);
    assert.equal(response.body.openapi, '3.1.0');
    assert.equal(response.body.info.version, version);
  });

  test('openapi lists every served route', async () => {
    const response = await server.request<OpenApiDocument>('GET', '/api/openapi.json');
    const documented = Object.entries(response.body.paths)
      .flatMap(([route, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${route}`),
      )
      .sort();

    const served = servedApiOperations(server.running.services);

    assert.ok(served.includes('GET /api/health'), served.join(', '));
    assert.ok(served.includes('PATCH /api/admin/users/{id}'), served.join(', '));
    assert.deepEqual(documented, served);
  });

  test('openapi marks signed-in routes', async () => {
    const response = await server.request<OpenApiDocument>('GET', '/api/openapi.json');
    const { paths } = response.body;

    assert.equal(paths['/api/health']?.get?.security, undefined);
    assert.deepEqual(paths['/api/auth/me']?.get?.security, [{ bearer: [] }]);
    assert.deepEqual(paths['/api/admin/users']?.get?.security, [{ bearer: [] }]);
  });

  test('login body schema matches the validator', async () => {
    const response = await server.request<OpenApiDocument>('GET', '/api/openapi.json');

    const schema = requestBodySchema(response.body, '/api/auth/login', 'post');

    assert.deepEqual(schema, inputJsonSchema(loginBody));
    assert.deepEqual(Object.keys(schema.properties ?? {}).sort(), [
      'login',
      'password',
      'tokenDelivery',
    ]);
    assert.deepEqual(schema.properties?.tokenDelivery?.enum, ['cookie', 'body']);
    assert.deepEqual([...(schema.required ?? [])].sort(), ['login', 'password']);
  });

  test('register nickname pattern matches the validator', async () => {
    const response = await server.request<OpenApiDocument>('GET', '/api/openapi.json');

    const schema = requestBodySchema(response.body, '/api/auth/register', 'post');

    assert.deepEqual(schema, inputJsonSchema(registerBody));
    const pattern = schema.properties?.nickname?.pattern;
    assert.equal(typeof pattern, 'string');
    const documented = new RegExp(pattern as string);
    const samples = ['ada', 'a', 'ab', 'a_b-9', 'two words', 'x'.repeat(32), 'x'.repeat(33), 'é1'];
    for (const nickname of samples) {
      assert.equal(
        documented.test(nickname),
        nicknameSchema.safeParse(nickname).success,
        `nickname ${JSON.stringify(nickname)}`,
      );
    }
  });

  test('openapi document follows a changed schema', () => {
    const documentFor = (body: z.ZodType) => {
      const registry = new ApiRegistry();
      registry.add({
        method: 'post',
        path: '/api/things/:id',
        summary: 'Create a thing',
        tag: 'things',
        access: 'user',
        params: z.object({ id: z.string() }),
        body,
        responses: { 201: { description: 'Created' } },
      });
      const document = registry.document('1.0.0') as unknown as OpenApiDocument;
      return requestBodySchema(document, '/api/things/{id}', 'post');
    };

    const short = documentFor(z.object({ name: z.string().max(5) }));
    const long = documentFor(z.object({ name: z.string().max(6) }));

    assert.equal(short.properties?.name?.maxLength, 5);
    assert.equal(long.properties?.name?.maxLength, 6);
  });

  test('unknown API route returns 404 not_found', async () => {
    const response = await server.request<ErrorBody>('GET', '/api/no-such-route');

    assert.equal(response.status, 404);
    assert.equal(response.body.error.code, 'not_found');
    assert.match(response.body.error.message, /GET \/api\/no-such-route/);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  });

  const invalidJsonBodies: [string, string, RegExp][] = [
    ['truncated object', '{"login": "ada"', /not valid JSON \(.+\)/],
    ['bare word', '{bad}', /not valid JSON \(.+\)/],
  ];
  for (const [name, body, message] of invalidJsonBodies) {
    test(`invalid JSON body: ${name}`, async () => {
      const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'invalid_json');
      assert.match(response.body.error.message, message);
    });
  }

  // [case, body, what the message must say]
  const bodiesThatAreNotObjects: [string, string, RegExp][] = [
    ['string', '"hello"', /^Invalid body: must be a JSON object, not a string$/],
    ['number', '42', /^Invalid body: must be a JSON object, not a number$/],
    ['null', 'null', /^Invalid body: must be a JSON object, not null$/],
    ['boolean', 'true', /^Invalid body: must be a JSON object, not true or false$/],
    ['array', '[{"login": "ada"}]', /^Invalid body: must be a JSON object, not an array$/],
  ];
  for (const [name, body, message] of bodiesThatAreNotObjects) {
    test(`JSON ${name} body asks for an object`, async () => {
      const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, message);
    });
  }

  const prototypeKeyBodies: [string, string, string][] = [
    ['__proto__ key', '{"__proto__": {"admin": true}}', 'body.__proto__'],
    ['escaped __proto__ key', '{"\\u005f_proto__": {"admin": true}}', 'body.__proto__'],
    ['nested __proto__ key', '{"a": [{"__proto__": {}}]}', 'body.a.0.__proto__'],
    [
      'constructor.prototype keys',
      '{"login": "a", "constructor": {"prototype": {"admin": true}}}',
      'body.constructor.prototype',
    ],
  ];
  for (const [name, body, field] of prototypeKeyBodies) {
    test(`body with a ${name} is rejected`, async () => {
      const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.ok(
        response.body.error.message.startsWith(`Invalid ${field}: `),
        response.body.error.message,
      );
      assert.match(response.body.error.message, /__proto__ and constructor\.prototype keys/);
      assert.match(response.body.error.message, /not allowed/);
    });
  }

  test('JSON body over 1 MiB returns 413', async () => {
    const body = JSON.stringify({ login: 'x'.repeat(1024 * 1024), password: 'password-1' });

    const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

    assert.equal(response.status, 413);
    assert.equal(response.body.error.code, 'payload_too_large');
    assert.match(response.body.error.message, /larger than 1 MiB/);
  });

  test('JSON body just under 1 MiB is parsed', async () => {
    const body = JSON.stringify({ login: 'x'.repeat(1024 * 1024 - 100), password: 'password-1' });

    const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_failed');
    assert.match(response.body.error.message, /body\.login/);
  });

  // [case, body bytes, offset the message names]
  const invalidUtf8Bodies: [string, Buffer, number][] = [
    ['lone continuation byte', Buffer.from([...Buffer.from('{"login": "'), 0x80, 0x22, 0x7d]), 11],
    ['overlong slash', Buffer.from([...Buffer.from('{"login": "'), 0xc0, 0xaf, 0x22, 0x7d]), 11],
    ['cut sequence', Buffer.from([...Buffer.from('{"login": "'), 0xe2, 0x82, 0x22, 0x7d]), 13],
    ['surrogate half', Buffer.from([...Buffer.from('{"login": "'), 0xed, 0xa0, 0x80, 0x22]), 12],
  ];
  for (const [name, body, offset] of invalidUtf8Bodies) {
    test(`invalid UTF-8 body is rejected: ${name}`, async () => {
      const response = await postRaw(
        server.url,
        '/api/auth/login',
        { 'Content-Type': 'application/json' },
        body,
      );
      const error = (JSON.parse(response.body) as ErrorBody).error;

      assert.equal(response.status, 400, response.body);
      assert.equal(error.code, 'invalid_utf8');
      assert.match(error.message, new RegExp(`fails at byte ${offset}\\)`));
      assert.match(error.message, /send JSON encoded as UTF-8/);
    });
  }

  test('UTF-8 byte order mark is skipped', async () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify({ login: 'nobody-bom', password: 'password-1' })),
    ]);

    const response = await postRaw(
      server.url,
      '/api/auth/login',
      { 'Content-Type': 'application/json' },
      body,
    );

    assert.equal(response.status, 401, response.body);
  });

  test('multibyte characters survive the body parser', async () => {
    const login = 'ñandú-😀';
    const body = JSON.stringify({ login, password: 'x' });

    const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

    // Rejected by the login schema, which names the value it received in full.
    assert.notEqual(response.status, 500);
    assert.ok(!JSON.stringify(response.body).includes('\ufffd'), JSON.stringify(response.body));
  });

  test('deeply nested JSON body is handled', async () => {
    const depth = 200_000;
    const body = `{"login": "ada", "password": "x", "deep": ${'['.repeat(depth)}${']'.repeat(depth)}}`;

    const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

    // Parsed without a stack overflow, then rejected for the field login does not take.
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'validation_failed');
    assert.match(response.body.error.message, /deep/);
  });

  test('gzip body is decompressed', async () => {
    const body = gzipSync(JSON.stringify({ login: 'nobody-gzip', password: 'password-1' }));

    const response = await postRaw(
      server.url,
      '/api/auth/login',
      { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body,
    );

    assert.equal(response.status, 401, response.body);
  });

  // [Content-Encoding, body bytes]
  const undecodableBodies: [string, Buffer][] = [
    ['gzip', Buffer.from('{"login": "ada", "password": "x"}')],
    ['gzip', gzipSync('{"login": "ada", "password": "x"}').subarray(0, 12)],
    ['deflate', Buffer.from('not deflate data')],
    ['br', Buffer.from('not brotli data')],
  ];
  for (const [encoding, body] of undecodableBodies) {
    test(`invalid ${encoding} body (${body.length} bytes) returns 400`, async () => {
      const response = await postRaw(
        server.url,
        '/api/auth/login',
        { 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        body,
      );
      const parsed = JSON.parse(response.body) as ErrorBody;

      assert.equal(response.status, 400);
      assert.equal(parsed.error.code, 'invalid_content_encoding');
      assert.match(
        parsed.error.message,
        new RegExp(`could not be decompressed as Content-Encoding ${encoding}`),
      );
    });
  }

  test('unknown Content-Encoding returns 415', async () => {
    const response = await postRaw(
      server.url,
      '/api/auth/login',
      { 'Content-Type': 'application/json', 'Content-Encoding': 'zstd' },
      '{"login": "ada", "password": "x"}',
    );
    const parsed = JSON.parse(response.body) as ErrorBody;

    assert.equal(response.status, 415);
    assert.equal(parsed.error.code, 'unsupported_media_type');
    assert.match(parsed.error.message, /"zstd" is not supported/);
  });

  // [case, Content-Type header or undefined for none]
  const nonJsonTypes: [string, string | undefined][] = [
    ['text/plain', 'text/plain'],
    ['form', 'application/x-www-form-urlencoded'],
    ['no Content-Type', undefined],
  ];
  for (const [name, contentType] of nonJsonTypes) {
    test(`JSON sent as ${name} returns 415`, async () => {
      const headers: Record<string, string> =
        contentType === undefined ? {} : { 'Content-Type': contentType };

      const response = await postRaw(
        server.url,
        '/api/auth/login',
        headers,
        '{"login": "ada", "password": "password-1"}',
      );
      const parsed = JSON.parse(response.body) as ErrorBody;

      assert.equal(response.status, 415);
      assert.equal(parsed.error.code, 'unsupported_media_type');
      assert.equal(
        parsed.error.message,
        'Send the request body as JSON with Content-Type: application/json.',
      );
    });
  }

  test('empty body needs no Content-Type', async () => {
    const response = await rawRequest(server.url, 'POST', '/api/auth/logout', {
      'Content-Type': 'text/plain',
      'Content-Length': '0',
    });

    assert.equal(response.status, 204, response.body);
  });

  // [case, body, field the message names, what the message says]
  const controlCharacterBodies: [string, unknown, string, RegExp][] = [
    ['NUL in login', { login: 'admin\u0000', password: 'x' }, 'body.login', /U\+0000/],
    ['NUL in password', { login: 'admin', password: 'x\u0000' }, 'body.password', /U\+0000/],
    ['escape in login', { login: 'ad\u001bmin', password: 'x' }, 'body.login', /U\+001B/],
    [
      'NUL in an ignored field',
      { login: 'a', password: 'x', note: '\u0000' },
      'body.note',
      /U\+0000/,
    ],
    [
      'NUL in a field name',
      { login: 'a', password: 'x', 'n\u0000': 1 },
      'body',
      /field name "n\\u0000"/,
    ],
    ['NUL in a refresh token', { refreshToken: 'abc\u0000' }, 'body.refreshToken', /U\+0000/],
    [
      'unpaired surrogate',
      { login: 'ad\ud800min', password: 'x' },
      'body.login',
      /well-formed Unicode/,
    ],
    ['tab in login', { login: 'ad\tmin', password: 'x' }, 'body.login', /tabs or line breaks/],
  ];
  for (const [name, body, field, message] of controlCharacterBodies) {
    test(`body with ${name} returns 400`, async () => {
      const route = 'refreshToken' in (body as object) ? '/api/auth/refresh' : '/api/auth/login';

      const response = await server.request<ErrorBody>('POST', route, { body });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.ok(
        response.body.error.message.startsWith(`Invalid ${field}: `),
        response.body.error.message,
      );
      assert.match(response.body.error.message, message);
    });
  }

  test('line breaks are allowed in free text', async () => {
    const response = await server.request<ErrorBody>('POST', '/api/auth/login', {
      body: { login: 'nobody-free-text', password: 'two\nlines\tand tab\r' },
    });

    assert.equal(response.status, 401);
    assert.equal(response.body.error.code, 'invalid_credentials');
  });

  // [case, path and query, field the message names]
  const controlCharacterQueries: [string, string, string][] = [
    ['NUL in a query value', '/api/admin/users?q=%00', 'query.q'],
    ['newline in a query value', '/api/admin/users?q=a%0Ab', 'query.q'],
    ['NUL in the audit action filter', '/api/admin/audit-log?action=a%00', 'query.action'],
    ['NUL in a path parameter', '/api/admin/users/1%00', 'path.id'],
  ];
  for (const [name, route, field] of controlCharacterQueries) {
    test(`${name} returns 400`, async () => {
      const admin = await server.logInAdmin();

      const response = await server.request<ErrorBody>(
        route.includes('/users/1') ? 'DELETE' : 'GET',
        route,
        {
          token: admin.accessToken,
        },
      );

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.ok(
        response.body.error.message.startsWith(`Invalid ${field}: `),
        response.body.error.message,
      );
    });
  }

  // [body, message]
  const defaultMessages: [unknown, string][] = [
    [{ password: 'x' }, 'Invalid body.login: is required'],
    [{ login: 5, password: 'x' }, 'Invalid body.login: must be a string'],
    [
      { login: 'ada', password: 'x', tokenDelivery: 'mail' },
      'Invalid body.tokenDelivery: must be one of "cookie", "body"',
    ],
  ];
  for (const [body, message] of defaultMessages) {
    test(`message for ${JSON.stringify(body)}`, async () => {
      const response = await server.request<ErrorBody>('POST', '/api/auth/login', { body });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.message, message);
    });
  }

  test('wrong method returns 405 with Allow', async () => {
    const response = await server.request<ErrorBody>('DELETE', '/api/health');

    assert.equal(response.status, 405);
    assert.equal(response.body.error.code, 'method_not_allowed');
    assert.match(response.body.error.message, /DELETE/);
    assert.equal(response.headers.get('allow'), 'HEAD, GET');
  });

  test('unknown method returns 501', async () => {
    const response = await server.request<ErrorBody>('PROPFIND', '/api/health');

    assert.equal(response.status, 501);
    assert.equal(response.body.error.code, 'not_implemented');
    assert.match(response.body.error.message, /PROPFIND/);
  });

  // [case, X-Request-Id the client sends, whether the server keeps it]
  const requestIds: [string, string, boolean][] = [
    ['safe id', 'client-id_1.2', true],
    ['64 characters', 'a'.repeat(64), true],
    ['65 characters', 'a'.repeat(65), false],
    ['space', 'two words', false],
    ['encoded newline', 'abc%0D%0ASet-Cookie:%20x=1', false],
    ['colon', 'a:b', false],
  ];
  for (const [name, offered, kept] of requestIds) {
    test(`request id: ${name} is ${kept ? 'echoed' : 'replaced'}`, async () => {
      const response = await server.request('GET', '/api/health', {
        headers: { 'X-Request-Id': offered },
      });

      const returned = response.headers.get('x-request-id') ?? '';
      if (kept) {
        assert.equal(returned, offered);
      } else {
        assert.match(returned, UUID);
      }
    });
  }

  test('request id is generated when missing', async () => {
    const first = await server.request('GET', '/api/health');
    const second = await server.request('GET', '/api/health');

    const firstId = first.headers.get('x-request-id') ?? '';
    assert.match(firstId, UUID);
    assert.notEqual(second.headers.get('x-request-id'), firstId);
  });

  test('request id with a raw newline is not echoed', async () => {
    const response = await rawExchange(
      server.url,
      'GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n' +
        'X-Request-Id: abc\nSet-Cookie: injected=1\r\n\r\n',
    );

    assert.match(response, /^HTTP\/1\.1 [2-4]\d\d /);
    assert.doesNotMatch(response, /injected/);
  });

  test('request log line has id and no query', async () => {
    await server.request('GET', '/api/health?access_token=secret-in-query', {
      headers: { 'X-Request-Id': 'log-line-check' },
    });

    const lines = server.log.map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLine = lines.find(
      (line) => line.requestId === 'log-line-check' && line.msg === 'request',
    );
    assert.ok(requestLine !== undefined, 'no request log line with the request id');
    assert.equal(requestLine.method, 'GET');
    assert.equal(requestLine.path, '/api/health');
    // Health takes no query parameters, so the request is rejected, and still logged without the query.
    assert.equal(requestLine.status, 400);
    assert.equal(typeof requestLine.durationMs, 'number');
    assert.equal(
      server.log.some((line) => line.includes('secret-in-query')),
      false,
    );
  });

  test('security headers on /admin/', async () => {
    const response = await rawRequest(server.url, 'GET', '/admin/');

    assert.equal(response.status, 200);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(response.headers['cross-origin-opener-policy'], 'same-origin');
    const csp = String(response.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
  });

  for (const route of ['/api/health', '/API/Health']) {
    test(`API security headers on ${route}`, async () => {
      const response = await rawRequest(server.url, 'GET', route);

      assert.equal(response.status, 200);
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
      assert.equal(response.headers['x-frame-options'], 'DENY');
      assert.equal(
        response.headers['content-security-policy'],
        "default-src 'none'; frame-ancestors 'none'",
      );
      assert.equal(response.headers['cross-origin-resource-policy'], 'same-site');
      assert.equal(response.headers['referrer-policy'], 'no-referrer');
      assert.match(response.headers['strict-transport-security'] ?? '', /max-age=\d+/);
      assert.equal(response.headers['cross-origin-opener-policy'], undefined);
    });
  }

  test('CORS allows a listed origin with credentials', async () => {
    const response = await rawRequest(server.url, 'GET', '/api/health', {
      Origin: ALLOWED_ORIGIN,
    });

    assert.equal(response.status, 200);
    assert.equal(response.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
    assert.equal(response.headers['access-control-allow-credentials'], 'true');
    assert.match(response.headers['access-control-expose-headers'] ?? '', /X-Request-Id/);
    assert.match(response.headers.vary ?? '', /Origin/);
  });

  test('CORS covers resumable upload headers', async () => {
    const response = await rawRequest(server.url, 'GET', '/api/health', {
      Origin: ALLOWED_ORIGIN,
    });
    const preflight = await rawRequest(server.url, 'OPTIONS', '/api/datasets/uploads/some-id', {
      Origin: ALLOWED_ORIGIN,
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'authorization,content-type,content-range',
    });

    const exposed = response.headers['access-control-expose-headers'] ?? '';
    assert.match(exposed, /\bUpload-Offset\b/);
    assert.match(exposed, /\bUpload-Length\b/);
    assert.match(exposed, /(^|,)Range(,|$)/);
    assert.equal(preflight.status, 204);
    assert.match(preflight.headers['access-control-allow-methods'] ?? '', /\bPUT\b/);
    assert.match(preflight.headers['access-control-allow-headers'] ?? '', /\bContent-Range\b/);
  });

  test('CORS ignores an unlisted origin', async () => {
    const response = await rawRequest(server.url, 'GET', '/api/health', {
      Origin: 'http://localhost:4000',
    });

    assert.equal(response.status, 200);
    assert.equal(response.headers['access-control-allow-origin'], undefined);
    assert.equal(response.headers['access-control-allow-credentials'], undefined);
  });

  test('CORS preflight for a listed origin', async () => {
    const response = await rawRequest(server.url, 'OPTIONS', '/api/auth/login', {
      Origin: ALLOWED_ORIGIN,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'content-type,authorization',
    });

    assert.equal(response.status, 204);
    assert.equal(response.headers['access-control-allow-origin'], ALLOWED_ORIGIN);
    assert.equal(response.headers['access-control-allow-credentials'], 'true');
    assert.match(response.headers['access-control-allow-methods'] ?? '', /\bPOST\b/);
    assert.match(response.headers['access-control-allow-headers'] ?? '', /\bAuthorization\b/);
    assert.match(response.headers['access-control-allow-headers'] ?? '', /\bContent-Type\b/);
    assert.equal(response.headers['access-control-max-age'], '600');
  });

  test('CORS preflight for an unlisted origin', async () => {
    const response = await rawRequest(server.url, 'OPTIONS', '/api/auth/login', {
      Origin: 'http://localhost:4000',
      'Access-Control-Request-Method': 'POST',
    });

    assert.equal(response.headers['access-control-allow-origin'], undefined);
    assert.equal(response.headers['access-control-allow-methods'], undefined);
  });

  test('admin page is served as HTML with a relative script URL', async () => {
    const page = await rawRequest(server.url, 'GET', '/admin/');
    const script = await rawRequest(server.url, 'GET', '/admin/main.js');

    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    assert.match(page.body, /<admin-app>/);
    // Relative, so the page also loads behind a proxy's path prefix such as /proxy/8000/.
    assert.match(page.body, /src="main\.js"/);
    assert.equal(script.status, 200);
    assert.match(script.headers['content-type'] ?? '', /^text\/javascript/);
  });

  test('admin page icon is served', async () => {
    const page = await rawRequest(server.url, 'GET', '/admin/');
    const icon = await rawRequest(server.url, 'GET', '/admin/icon.png');

    assert.match(page.body, /<link rel="icon" type="image\/png" href="icon\.png" \/>/);
    assert.equal(icon.status, 200);
    assert.equal(icon.headers['content-type'], 'image/png');
  });

  for (const route of ['/', '/admin']) {
    test(`${route} redirects relatively to the admin page`, async () => {
      const response = await rawRequest(server.url, 'GET', route);

      assert.equal(response.status, 302);
      assert.equal(response.headers.location, 'admin/');
      assert.equal(new URL('admin/', `${server.url}${route}`).pathname, '/admin/');
      assert.equal(
        new URL('admin/', `http://127.0.0.1:1/proxy/8000${route}`).pathname,
        '/proxy/8000/admin/',
      );
    });
  }

  const escapingPaths = [
    '/admin/../secrets.json',
    '/admin/..%2fsecrets.json',
    '/admin/%2e%2e%2fsecrets.json',
    '/admin/..%5csecrets.json',
    '/admin/../../../package.json',
    '/admin/..%2f..%2f..%2fpackage.json',
    '/admin/.%2e/.%2e/.%2e/package.json',
    '/admin/%2e%2e%2f%2e%2e%2f%2e%2e%2fpackage.json',
    '/admin/main.js%00.html',
    '/admin/index.html',
  ];
  for (const escapingPath of escapingPaths) {
    test(`admin path ${escapingPath} returns 404`, async () => {
      const response = await rawRequest(server.url, 'GET', escapingPath);

      assert.equal(response.status, 404);
      assert.doesNotMatch(response.body, /jwtSecret|"name": "llm-workbench"/);
    });
  }
});

describe(`health with the database closed (${testDialect})`, () => {
  test('health returns 503 with database ok false', async () => {
    const server = await TestServer.start();
    try {
      await server.running.services.sequelize.close();

      const response = await server.request<{
        status: string;
        database: { ok: boolean; error?: string };
        version: string;
      }>('GET', '/api/health');

      assert.equal(response.status, 503);
      assert.equal(response.body.status, 'degraded');
      assert.equal(response.body.database.ok, false);
      assert.equal(typeof response.body.database.error, 'string');
      assert.equal(response.body.version, version);
      assert.ok(
        server.log.some((line) => line.includes('health check: database unreachable')),
        'no log line for the failed health check',
      );
    } finally {
      // Shutdown closes the database a second time, which SQLite rejects. By then the HTTP server
      // is closed, and the harness still removes the database and the data directory.
      await server.close().catch(() => undefined);
    }
  });
});
