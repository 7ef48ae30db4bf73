// Sends hostile input to every operation of /api/openapi.json and checks that each one is
// rejected with a 4xx JSON error, never a 5xx or a hang. New routes are covered without edits.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { multipart, rawRequest } from '../datasets/testing/requests.js';
import { TestServer } from '../testing/testServer.js';
import {
  assertClientError,
  fillPath,
  forEachLimited,
  listOperations,
  operationName,
  send,
  type ApiOperation,
  type JsonSchema,
  type SendOptions,
} from './apiOperations.js';

/** An id of the right form that names nothing, so validation passes and the lookup fails. */
const MISSING_ID = '999999';

/** Path values no id accepts: a parent segment, negative, hex, exponent and NUL forms. */
const PATH_TRICKS = ['../', '..%2F..', '-1', '0x10', '1e3', '\u0000', '1.5', '9223372036854775808'];

/** Query values written in forms that typed parameters must reject. */
const TYPED_QUERY_TRICKS = ['abc', '1e309', '-0', '0x10', '9223372036854775808', ''];

const MEGABYTE = 1024 * 1024;

/** 64 MB of spaces gzipped to about 64 KB: valid JSON whitespace far over the 1 MB body limit. */
const gzipBomb = gzipSync(Buffer.alloc(64 * MEGABYTE, ' '));

/** Request bodies whose schema ignores unknown fields; the test below fails when one joins. */
const LENIENT_BODIES: string[] = [];

interface FuzzCase {
  operation: ApiOperation;
  label: string;
  path: string;
  options: SendOptions;
  /** Whether any status below 500 is fine, for free-text values that some routes accept. */
  anyBelow500?: boolean;
}

let server: TestServer;
let operations: ApiOperation[];
let adminToken: string;

before(async () => {
  server = await TestServer.start({ MAX_UPLOAD_MB: '1' });
  await server.signUp('FuzzUser');
  adminToken = (await server.logInAdmin()).accessToken;
  operations = await listOperations(server);
});

after(async () => {
  await server.close();
});

function schemaTypes(schema: JsonSchema): string[] {
  const own = schema.type === undefined ? [] : [schema.type].flat();
  const nested = [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])].flatMap(schemaTypes);
  return [...own, ...nested];
}

/** JSON texts of a type that a property whose schema allows `types` does not accept. */
function wrongValuesFor(types: string[]): string[] {
  if (types.length === 0) {
    return [];
  }
  const valuesByType: Record<string, string> = {
    number: '12345',
    string: '"12"',
    boolean: 'true',
    array: '["x"]',
    object: '{"x":1}',
  };
  const accepted = new Set(types.map((type) => (type === 'integer' ? 'number' : type)));
  return Object.entries(valuesByType)
    .filter(([type]) => !accepted.has(type))
    .map(([, value]) => value)
    .slice(0, 2);
}

function bodyCases(operation: ApiOperation, schema: JsonSchema): FuzzCase[] {
  const urlPath = fillPath(operation, MISSING_ID);
  const properties = Object.entries(schema.properties ?? {});
  // Garbage goes into a field the schema lists, so a schema that ignores unknown fields still
  // has to look at it.
  const firstField = JSON.stringify(properties[0]?.[0] ?? 'zz');
  const stringEntry = properties.find(([, property]) => schemaTypes(property).includes('string'));
  const stringField = JSON.stringify(stringEntry?.[0] ?? 'zz');

  const bodies: [string, string | Buffer, Record<string, string>?][] = [
    ['null body', 'null'],
    ['array body', '[]'],
    ['string body', '"text"'],
    ['number body', '123'],
    ['unknown field only', '{"zzUnknownField":1}'],
    ['malformed JSON', '{"a":'],
    ['deep nesting', `{${firstField}:${'['.repeat(10_000)}${']'.repeat(10_000)}}`],
    ['deep object nesting', `{${firstField}:${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`],
    [
      'invalid UTF-8',
      Buffer.concat([
        Buffer.from(`{${stringField}:"`),
        Buffer.from([0xff, 0xfe, 0xc3]),
        Buffer.from('"}'),
      ]),
    ],
    ['2 MB body', `{${stringField}:"${'a'.repeat(2 * MEGABYTE)}"}`],
    ['text/plain body', '{}', { 'Content-Type': 'text/plain' }],
    ['form body', 'a=1', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['gzip bomb', gzipBomb, { 'Content-Encoding': 'gzip' }],
  ];
  if ((schema.required ?? []).length > 0) {
    bodies.push(['empty object', '{}']);
  }

  for (const [name, property] of properties) {
    const types = schemaTypes(property);
    for (const wrong of wrongValuesFor(types)) {
      bodies.push([`${name} = ${wrong}`, `{${JSON.stringify(name)}:${wrong}}`]);
    }
    if (types.includes('number') || types.includes('integer')) {
      for (const number of ['1e309', '-1e309', '9223372036854775808']) {
        bodies.push([`${name} = ${number}`, `{${JSON.stringify(name)}:${number}}`]);
      }
    }
  }
  if (stringEntry !== undefined) {
    const huge = JSON.stringify({ [stringEntry[0]]: 'a'.repeat(1_000_000) });
    bodies.push([`${stringEntry[0]} of 1 MB`, huge]);
  }
  return bodies.map(([label, body, headers]) => ({
    operation,
    label,
    path: urlPath,
    options: { token: adminToken, body, headers },
  }));
}

function pathCases(operation: ApiOperation): FuzzCase[] {
  return operation.pathParams.flatMap((name) =>
    PATH_TRICKS.map((trick) => ({
      operation,
      label: `path ${name} = ${JSON.stringify(trick)}`,
      // The trick goes in raw where it is already escaped, so `%2F` stays a single segment.
      path: fillPath(operation, MISSING_ID, { [name]: trick }).replace('..%252F..', '..%2F..'),
      options: { token: adminToken },
    })),
  );
}

function queryCases(operation: ApiOperation): FuzzCase[] {
  const base = fillPath(operation, MISSING_ID);
  const cases: FuzzCase[] = [
    {
      operation,
      label: 'unknown query parameter',
      path: `${base}?zzUnknown=1`,
      options: { token: adminToken },
    },
  ];
  for (const { name, schema } of operation.queryParams) {
    const isFreeText =
      schema.pattern === undefined &&
      schema.enum === undefined &&
      schema.format === undefined &&
      schemaTypes(schema).every((type) => type === 'string');
    const key = encodeURIComponent(name);
    cases.push(
      { operation, label: `${name} twice`, path: `${base}?${key}=1&${key}=2`, options: {} },
      { operation, label: `${name} with NUL`, path: `${base}?${key}=a%00b`, options: {} },
      {
        operation,
        label: `${name} of 10 KB`,
        path: `${base}?${key}=${'a'.repeat(10_000)}`,
        options: {},
        anyBelow500: true,
      },
    );
    for (const trick of TYPED_QUERY_TRICKS) {
      cases.push({
        operation,
        label: `${name} = ${JSON.stringify(trick)}`,
        path: `${base}?${key}=${encodeURIComponent(trick)}`,
        options: {},
        anyBelow500: isFreeText,
      });
    }
  }
  for (const fuzzCase of cases) {
    fuzzCase.options.token = adminToken;
  }
  return cases;
}

/** Runs the cases and returns one line per case that was not a proper 4xx JSON error. */
async function runCases(cases: FuzzCase[]): Promise<string[]> {
  const findings: string[] = [];
  await forEachLimited(cases, 4, async (fuzzCase) => {
    const label = `${operationName(fuzzCase.operation)} [${fuzzCase.label}]`;
    const response = await send(server, fuzzCase.operation.method, fuzzCase.path, fuzzCase.options);
    try {
      if (fuzzCase.anyBelow500 === true) {
        assert.ok(response.status < 500, `${label} -> ${response.status} ${response.text}`);
        assert.notEqual(response.json, undefined, `${label} -> not JSON: ${response.text}`);
      } else {
        assertClientError(response, label);
      }
    } catch (error) {
      const [line = ''] = (error as Error).message.split('\n');
      findings.push(line.slice(0, 400));
    }
  });
  return findings;
}

/** Tells whether an operation reads a JSON body; the uploads get their own cases below. */
function takesJson(operation: ApiOperation): boolean {
  return !(
    (operation.method === 'POST' && operation.template === '/api/datasets') ||
    (operation.method === 'PUT' && operation.template === '/api/datasets/uploads/{id}')
  );
}

describe('hostile input on every operation', () => {
  test('document lists the known route groups', () => {
    const templates = new Set(operations.map((operation) => operation.template));
    for (const template of ['/api/providers/{id}', '/api/chat/sessions/{id}/messages']) {
      assert.ok(templates.has(template), `${template} is missing from the document`);
    }
    assert.ok(operations.length >= 80, `only ${operations.length} operations`);
  });

  test('body schemas reject unknown fields', () => {
    const lenient = operations
      .filter((operation) => operation.body !== undefined)
      .filter((operation) => operation.body?.additionalProperties !== false)
      .map(operationName);
    assert.deepEqual(lenient, LENIENT_BODIES);
  });

  test('path tricks get a 4xx error', async () => {
    const findings = await runCases(operations.flatMap(pathCases));
    assert.deepEqual(findings, []);
  });

  test('query tricks get a 4xx error', async () => {
    const findings = await runCases(operations.flatMap(queryCases));
    assert.deepEqual(findings, []);
  });

  test('body tricks get a 4xx error', async () => {
    const cases = operations
      .filter(takesJson)
      .flatMap((operation) =>
        bodyCases(operation, operation.body ?? { type: 'object', properties: {} }),
      )
      .filter((fuzzCase) => fuzzCase.operation.body !== undefined || isRawBodyCase(fuzzCase));
    const findings = await runCases(cases);
    assert.deepEqual(findings, []);
  });

  test('URL over the header limit gets 431', async () => {
    const response = await send(server, 'GET', `/api/datasets?q=${'a'.repeat(MEGABYTE)}`, {
      token: adminToken,
    });
    assert.equal(response.status, 431);
  });
});

/** Cases that break the body itself, sent to every operation that may carry a body. */
function isRawBodyCase(fuzzCase: FuzzCase): boolean {
  const raw = ['malformed JSON', 'invalid UTF-8', '2 MB body', 'deep nesting', 'gzip bomb'];
  return fuzzCase.operation.method !== 'GET' && raw.includes(fuzzCase.label);
}

/**
 * Streams a chunked multipart upload over a raw socket and keeps sending after the response for
 * up to `graceMs`. Returns the response head and how many body bytes were sent when the server
 * closed the connection (undefined when it stayed open).
 */
async function sendEndlessUpload(
  graceMs: number,
): Promise<{ response: string; closedAfterBytes: number | undefined }> {
  const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
  await once(socket, 'connect');
  let response = '';
  let closedAfterBytes: number | undefined;
  let sentBytes = 0;
  let respondedAt: number | undefined;
  socket.on('data', (data: Buffer) => {
    response += data.toString('latin1');
    respondedAt ??= Date.now();
  });
  const markClosed = () => {
    closedAfterBytes ??= sentBytes;
  };
  socket.on('end', markClosed);
  socket.on('close', markClosed);
  socket.on('error', markClosed);

  const boundary = 'endless-boundary';
  const head =
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="endless.txt"\r\n` +
    'Content-Type: application/octet-stream\r\n\r\n';
  socket.write(
    'POST /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
      `Authorization: Bearer ${adminToken}\r\n` +
      `Content-Type: multipart/form-data; boundary=${boundary}\r\n` +
      'Transfer-Encoding: chunked\r\n\r\n' +
      `${Buffer.byteLength(head).toString(16)}\r\n${head}\r\n`,
  );
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const startedAt = Date.now();
  while (closedAfterBytes === undefined && Date.now() - (respondedAt ?? startedAt) < graceMs) {
    socket.write(`${chunk.length.toString(16)}\r\n`);
    socket.write(chunk);
    socket.write('\r\n');
    sentBytes += chunk.length;
    await delay(2);
  }
  socket.destroy();
  return { response, closedAfterBytes };
}

/** Builds a zip archive with one deflated entry, enough for a zip reader to open it. */
function zipArchive(entryName: string, content: Buffer): Buffer {
  const name = Buffer.from(entryName);
  const data = deflateRawSync(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(name.length, 28);
  const centralOffset = local.length + name.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  return Buffer.concat([local, name, data, central, name, end]);
}

describe('hostile uploads', () => {
  function upload(fileName: string, data: Buffer | string) {
    const { body, contentType } = multipart([{ name: 'file', fileName, data }]);
    return rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': contentType },
      body,
    });
  }

  test('file name with parent segments is cut to its base name', async () => {
    const record = JSON.stringify([{ instruction: 'say hi', input: '', output: 'hi' }]);
    const response = await upload('../../escape-attempt.json', record);

    assert.equal(response.status, 201, response.text);
    assert.ok(!response.text.includes('../'), response.text);
    const dataDir = server.config.dataDir;
    assert.equal(fs.existsSync(path.join(dataDir, '..', 'escape-attempt.json')), false);
    assert.equal(fs.existsSync(path.join(dataDir, 'escape-attempt.json')), false);
  });

  test('zip archive named .json is rejected unopened', async () => {
    const inner = Buffer.from(JSON.stringify([{ instruction: 'a'.repeat(100_000), output: 'b' }]));
    const archive = zipArchive('data.json', inner);
    assert.ok(archive.length < 2_000, 'the archive compresses its content');

    const response = await upload('data.json', archive);

    assert.equal(response.status, 422, response.text);
    const message = String(response.json.error?.message);
    assert.match(message, /"data\.json" was not stored/);
    assert.match(message, /starts with 'P' instead of '\['/);
  });

  test('endless upload gets 413 early', async () => {
    const { contentType } = multipart([]);
    const boundary = contentType.split('boundary=')[1];
    let sentBytes = 0;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    async function* endlessBody() {
      yield Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="endless.txt"\r\n` +
          'Content-Type: application/octet-stream\r\n\r\n',
      );
      // Stops at 16 MB, so a server that never responds fails the test instead of hanging it.
      while (sentBytes < 16 * MEGABYTE) {
        sentBytes += chunk.length;
        yield chunk;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }

    const response = await rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': contentType },
      body: endlessBody(),
      chunked: true,
    });

    assert.equal(response.status, 413, response.text);
    assert.equal(response.json.error?.code, 'payload_too_large');
    assert.ok(sentBytes < 16 * MEGABYTE, `the server read ${sentBytes} bytes before responding`);
  });

  test('endless upload connection is closed after 413', async () => {
    const outcome = await sendEndlessUpload(3_000);

    assert.match(outcome.response, /^HTTP\/1\.1 413 /);
    assert.notEqual(outcome.closedAfterBytes, undefined, 'connection still open after 3 s');
  });

  test('health check still succeeds afterwards', async () => {
    const response = await send(server, 'GET', '/api/health');
    assert.equal(response.status, 200, response.text);
  });
});
