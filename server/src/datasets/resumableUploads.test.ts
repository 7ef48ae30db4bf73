import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { ApiDatasetUpload, UploadDatasetResponse } from '../../../shared/src/api/datasets.js';
import { AuditLog } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { sweepDatasetUploads } from './sweep.js';
import { cutOffRequest, listFiles, rawRequest, type RawResponse } from './testing/requests.js';

interface UploadBody {
  upload: ApiDatasetUpload;
  uploadId: string;
  chunkSize: number;
}

/** About 130 KB of Alpaca records (2,000 by default), each distinct. */
function alpacaFile(records = 2000): Buffer {
  const lines: string[] = [];
  for (let index = 0; index < records; index += 1) {
    lines.push(
      JSON.stringify({ instruction: `Question ${index}`, input: '', output: `Answer ${index}` }),
    );
  }
  return Buffer.from(`${lines.join('\n')}\n`);
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe(`resumable dataset uploads (${testDialect})`, () => {
  let server: TestServer;
  let alice: { accessToken: string; userId: number };
  let bob: { accessToken: string; userId: number };
  let uploadsDir: string;

  before(async () => {
    server = await TestServer.start({
      AUTH_MAX_FAILURES: '1000',
      MAX_UPLOAD_MB: '1',
      UPLOAD_EXPIRY_HOURS: '2',
    });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    uploadsDir = path.join(server.config.dataDir, 'datasets', 'uploads');
  });

  after(async () => {
    await server.close();
  });

  const start = (token: string, body: Record<string, unknown>) =>
    server.request<UploadBody>('POST', '/api/datasets/uploads', { token, body });

  const putChunk = (
    token: string,
    id: string,
    bytes: Buffer,
    range: { first: number; total: number; last?: number; contentType?: string },
  ): Promise<RawResponse> =>
    rawRequest(`${server.url}/api/datasets/uploads/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': range.contentType ?? 'application/octet-stream',
        'Content-Range': `bytes ${range.first}-${range.last ?? range.first + bytes.length - 1}/${range.total}`,
      },
      body: bytes,
    });

  /** Retries a PUT while the server still finishes the request that broke off. */
  const putChunkWhenFree = async (...args: Parameters<typeof putChunk>) => {
    for (let attempt = 0; ; attempt += 1) {
      const response = await putChunk(...args);
      if (response.json.error?.code !== 'upload_busy' || attempt === 50) {
        return response;
      }
      await delay(20);
    }
  };

  const complete = (token: string, id: string, body: Record<string, unknown> = {}) =>
    server.request<UploadDatasetResponse>('POST', `/api/datasets/uploads/${id}/complete`, {
      token,
      body,
    });

  const status = (token: string, id: string) =>
    server.request<UploadBody>('GET', `/api/datasets/uploads/${id}`, { token });

  test('chunked upload resumes after a dropped chunk', async () => {
    const file = alpacaFile();
    const chunk = 64 * 1024;
    const created = await start(alice.accessToken, {
      fileName: 'resumed.jsonl',
      sizeBytes: file.length,
      sha256: sha256Of(file),
    });
    assert.equal(created.status, 201);
    const id = created.body.uploadId;
    assert.equal(created.body.upload.receivedBytes, 0);
    assert.equal(created.body.chunkSize, Math.min(8 * 1024 * 1024, file.length));

    const first = await putChunk(alice.accessToken, id, file.subarray(0, chunk), {
      first: 0,
      total: file.length,
    });
    assert.equal(first.status, 200, first.text);
    await cutOffRequest(`${server.url}/api/datasets/uploads/${id}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${alice.accessToken}`,
        'Content-Type': 'application/octet-stream',
        'Content-Range': `bytes ${chunk}-${Math.min(2 * chunk, file.length) - 1}/${file.length}`,
      },
      sent: file.subarray(chunk, chunk + 1000),
      declaredLength: Math.min(chunk, file.length - chunk),
    });

    const afterDrop = await status(alice.accessToken, id);
    assert.equal(afterDrop.body.upload.receivedBytes, chunk);
    assert.equal(afterDrop.headers.get('upload-offset'), String(chunk));
    assert.equal(afterDrop.headers.get('range'), `bytes=0-${chunk - 1}`);
    const head = await fetch(`${server.url}/api/datasets/uploads/${id}`, {
      method: 'HEAD',
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('upload-offset'), String(chunk));

    for (let offset = chunk; offset < file.length; offset += chunk) {
      const bytes = file.subarray(offset, offset + chunk);
      const response = await putChunkWhenFree(alice.accessToken, id, bytes, {
        first: offset,
        total: file.length,
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers['upload-offset'], String(offset + bytes.length));
    }
    const completed = await complete(alice.accessToken, id, { name: 'Resumed set' });
    const repeated = await complete(alice.accessToken, id);

    assert.equal(completed.status, 201, JSON.stringify(completed.body));
    assert.equal(completed.body.dataset.name, 'Resumed set');
    assert.equal(completed.body.dataset.recordCount, 2000);
    assert.equal(completed.body.dataset.sha256, sha256Of(file));
    assert.equal(repeated.status, 200);
    assert.equal(repeated.body.dataset.id, completed.body.dataset.id);
    const download = await fetch(
      `${server.url}/api/datasets/${completed.body.dataset.id}/download`,
      { headers: { Authorization: `Bearer ${alice.accessToken}` } },
    );
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(file));
    assert.ok(!listFiles(uploadsDir).includes(`${id}.part`));
  });

  test('chunks out of order or off the file are rejected', async () => {
    const file = alpacaFile(100);
    const created = await start(alice.accessToken, {
      fileName: 'order.jsonl',
      sizeBytes: file.length,
    });
    const id = created.body.uploadId;
    await putChunk(alice.accessToken, id, file.subarray(0, 100), { first: 0, total: file.length });

    const gap = await putChunk(alice.accessToken, id, file.subarray(200, 300), {
      first: 200,
      total: file.length,
    });
    const overlap = await putChunk(alice.accessToken, id, file.subarray(50, 150), {
      first: 50,
      total: file.length,
    });
    const wrongTotal = await putChunk(alice.accessToken, id, file.subarray(100, 200), {
      first: 100,
      total: file.length + 1,
    });
    const pastEnd = await putChunk(alice.accessToken, id, file.subarray(100, 200), {
      first: 100,
      last: file.length,
      total: file.length,
    });
    const shortBody = await putChunk(alice.accessToken, id, file.subarray(100, 150), {
      first: 100,
      last: 199,
      total: file.length,
    });
    const wrongType = await putChunk(alice.accessToken, id, file.subarray(100, 200), {
      first: 100,
      total: file.length,
      contentType: 'text/plain',
    });
    // A chunk of JSON text sent as JSON is still a chunk, so the route responds, not the JSON parser.
    const jsonType = await putChunk(alice.accessToken, id, Buffer.from('{"a":'), {
      first: 100,
      total: file.length,
      contentType: 'application/json',
    });
    const early = await complete(alice.accessToken, id);

    assert.equal(gap.status, 409);
    assert.equal(gap.json.error?.code, 'upload_offset_mismatch');
    assert.deepEqual(gap.json.error?.details, { expectedOffset: 100, sizeBytes: file.length });
    assert.match(gap.json.error?.message ?? '', /leaves a gap.*starts at byte 100/);
    assert.equal(gap.headers['upload-offset'], '100');
    assert.equal(overlap.status, 409);
    assert.match(overlap.json.error?.message ?? '', /overlaps bytes already stored/);
    assert.equal(wrongTotal.status, 416);
    assert.equal(wrongTotal.json.error?.code, 'invalid_content_range');
    assert.equal(pastEnd.status, 416);
    assert.equal(shortBody.status, 400);
    assert.equal(shortBody.json.error?.code, 'chunk_length_mismatch');
    assert.equal(wrongType.status, 415);
    assert.equal(jsonType.status, 415);
    assert.match(jsonType.json.error?.message ?? '', /application\/octet-stream/);
    assert.equal(early.status, 409);
    assert.equal(
      (early.body as unknown as { error: { code: string } }).error.code,
      'upload_incomplete',
    );
    const current = await status(alice.accessToken, id);
    assert.equal(current.body.upload.receivedBytes, 100);
    assert.equal(fs.statSync(path.join(uploadsDir, `${id}.part`)).size, 100);
  });

  test('a wrong SHA-256 deletes the upload', async () => {
    const file = alpacaFile(10);
    const created = await start(alice.accessToken, {
      fileName: 'digest.jsonl',
      sizeBytes: file.length,
      sha256: 'a'.repeat(64),
    });
    const id = created.body.uploadId;
    await putChunk(alice.accessToken, id, file, { first: 0, total: file.length });

    const completed = await complete(alice.accessToken, id);
    const afterwards = await status(alice.accessToken, id);

    assert.equal(completed.status, 422);
    const error = (completed.body as unknown as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'checksum_mismatch');
    assert.match(error.message, new RegExp(`SHA-256 is ${sha256Of(file)}, not a{64}`));
    assert.equal(afterwards.status, 404);
    assert.ok(!listFiles(uploadsDir).includes(`${id}.part`));
  });

  test('a file that is not UTF-8 is rejected at complete', async () => {
    const file = Buffer.from('{"text":"caf\u00e9"}\n', 'latin1');
    const created = await start(alice.accessToken, {
      fileName: 'latin1.jsonl',
      sizeBytes: file.length,
    });
    const id = created.body.uploadId;
    await putChunk(alice.accessToken, id, file, { first: 0, total: file.length });

    const completed = await complete(alice.accessToken, id);

    assert.equal(completed.status, 422);
    assert.equal(
      (completed.body as unknown as { error: { code: string } }).error.code,
      'invalid_encoding',
    );
    assert.ok(!listFiles(uploadsDir).includes(`${id}.part`));
  });

  test('the same bytes as an existing dataset return it', async () => {
    const file = alpacaFile(20);
    const ids: number[] = [];
    for (let round = 0; round < 2; round += 1) {
      const created = await start(alice.accessToken, {
        fileName: 'twice.jsonl',
        sizeBytes: file.length,
      });
      await putChunk(alice.accessToken, created.body.uploadId, file, {
        first: 0,
        total: file.length,
      });
      const completed = await complete(alice.accessToken, created.body.uploadId);
      assert.equal(completed.status, round === 0 ? 201 : 200);
      assert.equal(completed.body.duplicate, round === 1);
      ids.push(completed.body.dataset.id);
    }
    assert.equal(ids[0], ids[1]);
  });

  test('upload expires UPLOAD_EXPIRY_HOURS after its last change', async () => {
    const twoHoursMs = 2 * 60 * 60 * 1000;
    const file = alpacaFile(5);
    const startedAt = Date.now();
    const created = await start(alice.accessToken, {
      fileName: 'expiring.jsonl',
      sizeBytes: file.length,
    });
    await delay(50);
    const chunkAt = Date.now();
    const stored = await putChunk(alice.accessToken, created.body.uploadId, file, {
      first: 0,
      total: file.length,
    });
    const afterChunk = await status(alice.accessToken, created.body.uploadId);

    assert.equal(created.status, 201);
    assert.equal(stored.status, 200, stored.text);
    const createdExpiry = Date.parse(created.body.upload.expiresAt);
    const chunkExpiry = Date.parse(afterChunk.body.upload.expiresAt);
    assert.ok(createdExpiry >= startedAt + twoHoursMs - 1000, created.body.upload.expiresAt);
    assert.ok(createdExpiry <= Date.now() + twoHoursMs, created.body.upload.expiresAt);
    assert.ok(chunkExpiry >= chunkAt + twoHoursMs - 1000, afterChunk.body.upload.expiresAt);
    assert.ok(chunkExpiry > createdExpiry, 'the chunk moved the expiry on');
  });

  test('complete is audited once as dataset.create', async () => {
    const file = alpacaFile(7);
    const created = await start(alice.accessToken, {
      fileName: 'audited.jsonl',
      sizeBytes: file.length,
    });
    await putChunk(alice.accessToken, created.body.uploadId, file, {
      first: 0,
      total: file.length,
    });
    const completed = await complete(alice.accessToken, created.body.uploadId, {
      name: 'Audited upload',
    });
    await complete(alice.accessToken, created.body.uploadId);
    const entries = await AuditLog.findAll({
      where: { targetType: 'dataset', targetId: String(completed.body.dataset.id) },
    });

    assert.equal(completed.status, 201);
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['dataset.create'],
    );
    assert.equal(entries[0]?.actorId, alice.userId);
    assert.equal(entries[0]?.details?.upload, 'resumable');
    assert.equal(entries[0]?.details?.name, 'Audited upload');
    assert.equal(entries[0]?.details?.sha256, sha256Of(file));
  });

  test('start checks the name and the size limit', async () => {
    const tooBig = await start(alice.accessToken, {
      fileName: 'huge.jsonl',
      sizeBytes: 2 * 1024 * 1024,
    });
    const badName = await start(alice.accessToken, { fileName: 'notes.docx', sizeBytes: 10 });
    const empty = await start(alice.accessToken, { fileName: 'empty.jsonl', sizeBytes: 0 });

    assert.equal(tooBig.status, 413);
    assert.match(
      (tooBig.body as unknown as { error: { message: string } }).error.message,
      /\(2,097,152 bytes\) is larger than the upload limit of 1 MiB \(1,048,576 bytes\) \(MAX_UPLOAD_MB=1\)/,
    );
    assert.equal(badName.status, 400);
    assert.equal(
      (badName.body as unknown as { error: { code: string } }).error.code,
      'unsupported_file_type',
    );
    assert.equal(empty.status, 400);
  });

  test("another user's upload is 404", async () => {
    const created = await start(alice.accessToken, { fileName: 'mine.jsonl', sizeBytes: 10 });
    const id = created.body.uploadId;

    const get = await status(bob.accessToken, id);
    const put = await putChunk(bob.accessToken, id, Buffer.alloc(10, 'a'), { first: 0, total: 10 });
    const done = await complete(bob.accessToken, id);
    const cancel = await server.request('DELETE', `/api/datasets/uploads/${id}`, {
      token: bob.accessToken,
    });

    assert.deepEqual([get.status, put.status, done.status, cancel.status], [404, 404, 404, 404]);
    assert.equal((await status(alice.accessToken, id)).status, 200);
  });

  test('cancel deletes the upload and its bytes', async () => {
    const created = await start(alice.accessToken, { fileName: 'cancel.jsonl', sizeBytes: 10 });
    const id = created.body.uploadId;
    await putChunk(alice.accessToken, id, Buffer.from('{"a":"b"}\n'), { first: 0, total: 10 });

    const cancelled = await server.request('DELETE', `/api/datasets/uploads/${id}`, {
      token: alice.accessToken,
    });

    assert.equal(cancelled.status, 204);
    assert.equal((await status(alice.accessToken, id)).status, 404);
    assert.ok(!listFiles(uploadsDir).includes(`${id}.part`));
  });

  test('sweep deletes expired uploads and old stray files', async () => {
    const created = await start(alice.accessToken, { fileName: 'abandoned.jsonl', sizeBytes: 10 });
    const id = created.body.uploadId;
    const stray = path.join(server.config.dataDir, 'datasets', 'tmp', 'stray.part');
    fs.writeFileSync(stray, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    fs.utimesSync(stray, twoHoursAgo, twoHoursAgo);
    // A stored file whose datasets went away with their user, and one that a dataset still uses.
    const storedDir = path.join(server.config.dataDir, 'datasets');
    const unreferenced = path.join(storedDir, `${'0'.repeat(64)}.jsonl`);
    fs.writeFileSync(unreferenced, '{"text":"orphan"}\n');
    fs.utimesSync(unreferenced, twoHoursAgo, twoHoursAgo);
    const referenced = listFiles(storedDir).find(
      (file) => /^[0-9a-f]{64}\.jsonl$/.test(file) && !file.startsWith('0000'),
    );
    assert.ok(referenced !== undefined);
    fs.utimesSync(path.join(storedDir, referenced), twoHoursAgo, twoHoursAgo);

    const early = await sweepDatasetUploads(server.running.services);
    const stillThere = await status(alice.accessToken, id);
    const late = await sweepDatasetUploads(
      server.running.services,
      new Date(Date.now() + 25 * 60 * 60 * 1000),
    );

    assert.equal(early.expiredUploads, 0);
    assert.equal(early.orphanFiles, 2);
    assert.equal(fs.existsSync(stray), false);
    assert.equal(fs.existsSync(unreferenced), false);
    assert.equal(fs.existsSync(path.join(storedDir, referenced)), true);
    assert.equal(stillThere.status, 200);
    assert.ok(late.expiredUploads >= 1);
    assert.equal((await status(alice.accessToken, id)).status, 404);
    assert.ok(!listFiles(uploadsDir).includes(`${id}.part`));
  });
});
