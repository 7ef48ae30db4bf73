import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ListUploadsResponse,
  UploadDatasetResponse,
  UploadStatusResponse,
} from '../../../shared/src/api/datasets.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { DatasetUpload } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { rawRequest } from './testing/requests.js';

const MEBIBYTE = 1024 * 1024;

describe(`resumable upload limits (${testDialect})`, () => {
  let server: TestServer;

  before(async () => {
    // With MAX_UPLOAD_MB=1, a user's open uploads may announce 2 MiB in all by default.
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000', MAX_UPLOAD_MB: '1' });
  });

  after(async () => {
    await server.close();
  });

  const start = (token: string, body: Record<string, unknown>) =>
    server.request<UploadStatusResponse & ApiErrorBody>('POST', '/api/datasets/uploads', {
      token,
      body,
    });

  const list = (token: string) =>
    server.request<ListUploadsResponse>('GET', '/api/datasets/uploads', { token });

  const cancel = (token: string, id: string) =>
    server.request('DELETE', `/api/datasets/uploads/${id}`, { token });

  /** Sends the whole file as one chunk, then completes the upload. */
  async function sendAndComplete(token: string, id: string, bytes: Buffer, name?: string) {
    const put = await rawRequest(`${server.url}/api/datasets/uploads/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes 0-${bytes.length - 1}/${bytes.length}`,
      },
      body: bytes,
    });
    assert.equal(put.status, 200, put.text);
    return server.request<UploadDatasetResponse & ApiErrorBody>(
      'POST',
      `/api/datasets/uploads/${id}/complete`,
      { token, body: name === undefined ? {} : { name } },
    );
  }

  test('open uploads per user limited', async () => {
    const { accessToken: token } = await server.signUp('opener');
    const { accessToken: other } = await server.signUp('neighbour');
    const ids: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const started = await start(token, { fileName: `part${index}.jsonl`, sizeBytes: 20 });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      ids.push(started.body.uploadId);
    }

    const sixth = await start(token, { fileName: 'sixth.jsonl', sizeBytes: 20 });
    const byOther = await start(other, { fileName: 'theirs.jsonl', sizeBytes: 20 });
    await cancel(token, ids[0]!);
    const afterCancel = await start(token, { fileName: 'again.jsonl', sizeBytes: 20 });

    assert.equal(sixth.status, 409);
    assert.equal(sixth.body.error.code, 'too_many_uploads');
    assert.match(
      sixth.body.error.message,
      /^You have 5 uploads in progress, the most one user may have open \(UPLOAD_MAX_OPEN_PER_USER=5\); complete or cancel one first \(GET \/api\/datasets\/uploads lists them/,
    );
    assert.equal(byOther.status, 201);
    assert.equal(afterCancel.status, 201);
  });

  test('completed upload frees its place', async () => {
    const { accessToken: token } = await server.signUp('completer');
    const record = Buffer.from('{"text":"one document"}\n');
    const first = await start(token, { fileName: 'done.jsonl', sizeBytes: record.length });
    for (let index = 1; index < 5; index += 1) {
      await start(token, { fileName: `open${index}.jsonl`, sizeBytes: 20 });
    }

    const completed = await sendAndComplete(token, first.body.uploadId, record);
    const next = await start(token, { fileName: 'next.jsonl', sizeBytes: 20 });

    assert.equal(completed.status, 201, JSON.stringify(completed.body));
    assert.equal(next.status, 201, JSON.stringify(next.body));
  });

  test('announced bytes per user limited', async () => {
    const { accessToken: token } = await server.signUp('reserver');
    const first = await start(token, { fileName: 'a.jsonl', sizeBytes: MEBIBYTE });
    const second = await start(token, { fileName: 'b.jsonl', sizeBytes: MEBIBYTE });

    const third = await start(token, { fileName: 'c.jsonl', sizeBytes: 1 });

    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(third.status, 409);
    assert.equal(third.body.error.code, 'upload_space_exhausted');
    assert.match(
      third.body.error.message,
      /^Your uploads in progress announce 2 MiB \(2,097,152 bytes\), and this one 1 byte more would pass the 2 MiB \(2,097,152 bytes\) one user may have open \(UPLOAD_MAX_RESERVED_MB=2\); complete or cancel one first/,
    );
    assert.deepEqual(third.body.error.details, {
      reservedBytes: 2 * MEBIBYTE,
      sizeBytes: 1,
      limitBytes: 2 * MEBIBYTE,
    });
  });

  test('list shows own open uploads', async () => {
    const { accessToken: token } = await server.signUp('lister');
    const { accessToken: other } = await server.signUp('stranger');
    const older = await start(token, { fileName: 'older.jsonl', sizeBytes: 30 });
    const newer = await start(token, { fileName: 'newer.csv', sizeBytes: 40 });
    const expired = await start(token, { fileName: 'expired.jsonl', sizeBytes: 50 });
    await DatasetUpload.update(
      { expiresAt: new Date(Date.now() - 1000) },
      { where: { id: expired.body.uploadId } },
    );
    await start(other, { fileName: 'not-yours.jsonl', sizeBytes: 10 });

    const listed = await list(token);

    assert.equal(listed.status, 200);
    assert.equal(listed.headers.get('cache-control'), 'no-store');
    assert.equal(listed.body.total, 2);
    assert.deepEqual(
      listed.body.uploads.map((upload) => [upload.id, upload.fileName, upload.sizeBytes]),
      [
        [older.body.uploadId, 'older.jsonl', 30],
        [newer.body.uploadId, 'newer.csv', 40],
      ],
    );
    assert.equal(listed.body.uploads[0]?.receivedBytes, 0);
    assert.equal(listed.body.uploads[0]?.chunkSize, 30);
  });

  test('file name messages fit the JSON route', async () => {
    const { accessToken: token } = await server.signUp('namer');

    const parquet = await start(token, { fileName: 'a.parquet', sizeBytes: 10 });
    const bare = await start(token, { fileName: '.jsonl', sizeBytes: 10 });
    const override = await start(token, { fileName: 'x\u202Elsnoj.exe', sizeBytes: 10 });

    assert.equal(parquet.status, 400);
    assert.equal(
      parquet.body.error.message,
      'The file name "a.parquet" does not end in .json, .jsonl, .csv, .txt; rename the file or ' +
        'send "fileType" (json, jsonl, csv or txt) in the JSON body.',
    );
    assert.equal(bare.status, 400);
    assert.match(bare.body.error.message, /"\.jsonl" has no name before the extension/);
    assert.equal(override.status, 400);
    assert.match(override.body.error.message, /invisible control character U\+202E/);
    assert.equal((await list(token)).body.total, 0);
  });

  test('complete rejects a name with invisible controls', async () => {
    const { accessToken: token } = await server.signUp('completename');
    const record = Buffer.from('{"text":"doc"}\n');
    const started = await start(token, { fileName: 'named.jsonl', sizeBytes: record.length });

    const completed = await sendAndComplete(token, started.body.uploadId, record, 'a\u202Eb');

    assert.equal(completed.status, 400);
    assert.match(
      completed.body.error.message,
      /^Invalid body\.name: must not contain the invisible control character U\+202E/,
    );
  });

  test('racing complete told to send it again', async () => {
    const { accessToken: token } = await server.signUp('racer');
    const lines = Array.from({ length: 6000 }, (_, index) =>
      JSON.stringify({ instruction: `Question ${index}`, output: `Answer ${index}` }),
    );
    const file = Buffer.from(`${lines.join('\n')}\n`);
    const started = await start(token, { fileName: 'race.jsonl', sizeBytes: file.length });
    const id = started.body.uploadId;
    const put = await rawRequest(`${server.url}/api/datasets/uploads/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes 0-${file.length - 1}/${file.length}`,
      },
      body: file,
    });
    assert.equal(put.status, 200, put.text);

    const completeOnce = () =>
      server.request<UploadDatasetResponse & ApiErrorBody>(
        'POST',
        `/api/datasets/uploads/${id}/complete`,
        { token, body: {} },
      );
    const replies = await Promise.all([completeOnce(), completeOnce()]);
    const again = await completeOnce();

    const statuses = replies.map((reply) => reply.status).sort();
    assert.deepEqual(statuses, [201, 409]);
    const busy = replies.find((reply) => reply.status === 409)!;
    assert.equal(busy.body.error.code, 'upload_busy');
    assert.equal(
      busy.body.error.message,
      `Upload ${id} is being completed by another request; send complete again to get its ` +
        'dataset once that request has finished.',
    );
    const created = replies.find((reply) => reply.status === 201)!;
    assert.equal(again.status, 200);
    assert.equal(again.body.dataset.id, created.body.dataset.id);
  });
});
