import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer, type RunningServer } from '../server.js';
import { createTestDatabase, testDialect, TEST_ADMIN } from '../testing/testServer.js';
import { rawRequest } from './testing/requests.js';

const USER = { email: 'restart@example.com', nickname: 'restart', password: 'password-123' };

/** Sends a JSON request and returns the status and the parsed body. */
async function call(
  server: RunningServer,
  method: string,
  urlPath: string,
  options: { token?: string; body?: unknown } = {},
) {
  const response = await fetch(`${server.url}${urlPath}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: response.status, body: await response.json() };
}

async function logIn(server: RunningServer): Promise<string> {
  const response = await call(server, 'POST', '/api/auth/login', {
    body: { login: USER.nickname, password: USER.password, tokenDelivery: 'body' },
  });
  return (response.body as { accessToken: string }).accessToken;
}

describe(`resumable upload across a restart (${testDialect})`, () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };
  let server: RunningServer | undefined;

  const start = async () => {
    const config = loadConfig({
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      PORT: '0',
      BCRYPT_ROUNDS: '4',
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
    });
    return startServer(config, createLogger('silent'));
  };

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-restart-'));
    database = await createTestDatabase(dataDir);
  });

  after(async () => {
    await server?.close();
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('upload continues on a new server process after a crash mid-chunk', async () => {
    const file = Buffer.from(
      Array.from({ length: 500 }, (_, index) =>
        JSON.stringify({ instruction: `Q${index}`, output: `A${index}` }),
      ).join('\n') + '\n',
    );
    const half = Math.floor(file.length / 2);
    server = await start();
    await call(server, 'POST', '/api/auth/register', { body: USER });
    let token = await logIn(server);
    const created = await call(server, 'POST', '/api/datasets/uploads', {
      token,
      body: {
        fileName: 'restart.jsonl',
        sizeBytes: file.length,
        sha256: createHash('sha256').update(file).digest('hex'),
      },
    });
    const id = (created.body as { uploadId: string }).uploadId;
    const put = (first: number, bytes: Buffer) =>
      rawRequest(`${server?.url}/api/datasets/uploads/${id}`, {
        method: 'PUT',
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/octet-stream',
          'Content-Range': `bytes ${first}-${first + bytes.length - 1}/${file.length}`,
        },
        body: bytes,
      });
    assert.equal((await put(0, file.subarray(0, half))).status, 200);

    await server.close();
    // A chunk that was being written when the process died leaves bytes past the offset.
    fs.appendFileSync(path.join(dataDir, 'datasets', 'uploads', `${id}.part`), '{"half-written":');
    server = await start();
    token = await logIn(server);
    const resumed = await call(server, 'GET', `/api/datasets/uploads/${id}`, { token });
    const offset = (resumed.body as { upload: { receivedBytes: number } }).upload.receivedBytes;
    const rest = await put(offset, file.subarray(offset));
    const completed = await call(server, 'POST', `/api/datasets/uploads/${id}/complete`, {
      token,
      body: {},
    });

    assert.equal(resumed.status, 200);
    assert.equal(offset, half);
    assert.equal(rest.status, 200, rest.text);
    assert.equal(completed.status, 201, JSON.stringify(completed.body));
    const dataset = (completed.body as { dataset: { recordCount: number; invalidCount: number } })
      .dataset;
    assert.equal(dataset.recordCount, 500);
    assert.equal(dataset.invalidCount, 0);
  });
});
