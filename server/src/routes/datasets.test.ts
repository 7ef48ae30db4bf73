import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiDatasetDetail, DatasetInfoResponse } from '../../../shared/src/api/datasets.js';
import { AuditLog, Dataset } from '../models/index.js';
import { listFiles, multipart, rawRequest, type FormPart } from '../datasets/testing/requests.js';
import { testDialect, TestServer } from '../testing/testServer.js';

const ALPACA_JSON = JSON.stringify([
  { instruction: 'Add the numbers', input: '1 + 1', output: '2' },
  { instruction: 'Name a colour', input: '', output: 'Blue' },
]);
const SHAREGPT_JSONL =
  '{"conversations":[{"from":"human","value":"Hi"},{"from":"gpt","value":"Hello!"}]}\n' +
  '{"conversations":[{"from":"human","value":"2+2?"},{"from":"gpt","value":"4"}]}\n';
const ALPACA_CSV = 'instruction,input,output\nAdd the numbers,1 + 1,2\nName a colour,,Blue\n';
const PRETRAINING_TXT = 'The first document.\nThe second document.\nThe third document.\n';

interface UploadBody {
  dataset: ApiDatasetDetail;
  duplicate: boolean;
}

describe(`datasets API (${testDialect})`, () => {
  let server: TestServer;
  let alice: { accessToken: string; userId: number };
  let bob: { accessToken: string; userId: number };
  let admin: { accessToken: string; userId: number };
  let datasetsDir: string;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000', MAX_UPLOAD_MB: '1' });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    admin = await server.logInAdmin();
    datasetsDir = path.join(server.config.dataDir, 'datasets');
  });

  after(async () => {
    await server.close();
  });

  const upload = async (token: string, parts: FormPart[]) => {
    const { body, contentType } = multipart(parts);
    const response = await rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
      body,
    });
    return { ...response, body: response.json as unknown as UploadBody };
  };

  const uploadFile = (
    token: string,
    fileName: string,
    data: string | Buffer,
    extra: FormPart[] = [],
  ) => upload(token, [...extra, { name: 'file', fileName, data }]);

  const storedFiles = () => listFiles(datasetsDir).filter((file) => !file.includes(path.sep));

  const fileTypes: [string, string, string, string][] = [
    ['train.json', ALPACA_JSON, 'json', 'alpaca'],
    ['chat.jsonl', SHAREGPT_JSONL, 'jsonl', 'sharegpt'],
    ['table.csv', ALPACA_CSV, 'csv', 'alpaca'],
    ['corpus.txt', PRETRAINING_TXT, 'txt', 'pretraining'],
  ];
  for (const [fileName, content, fileType, schema] of fileTypes) {
    test(`upload stores a ${fileType} file`, async () => {
      const response = await uploadFile(alice.accessToken, fileName, content);

      assert.equal(response.status, 201, response.text);
      const { dataset } = response.body;
      const sha256 = createHash('sha256').update(content).digest('hex');
      assert.equal(response.body.duplicate, false);
      assert.equal(dataset.fileType, fileType);
      assert.equal(dataset.schema, schema);
      assert.equal(dataset.sha256, sha256);
      assert.equal(dataset.sizeBytes, Buffer.byteLength(content));
      assert.equal(dataset.invalidCount, 0);
      assert.ok(dataset.recordCount >= 2);
      assert.equal(dataset.validCount, dataset.recordCount);
      assert.equal(dataset.name, path.parse(fileName).name);
      assert.equal(dataset.originalFileName, fileName);
      assert.deepEqual(dataset.report.errors, []);
      assert.ok(dataset.report.preview.length > 0);
      assert.ok('recordChars' in dataset.report.stats);
      assert.ok(storedFiles().includes(`${sha256}.${fileType}`));
      assert.ok(!listFiles(datasetsDir).some((file) => file.includes(path.parse(fileName).name)));
    });
  }

  test('upload takes name and description fields', async () => {
    const response = await uploadFile(alice.accessToken, 'named.jsonl', '{"text":"named"}\n', [
      { name: 'name', data: 'My corpus' },
      { name: 'description', data: 'Two lines\nof notes' },
    ]);

    assert.equal(response.status, 201, response.text);
    assert.equal(response.body.dataset.name, 'My corpus');
    assert.equal(response.body.dataset.description, 'Two lines\nof notes');
  });

  test('identical re-upload returns the existing dataset', async () => {
    const content = '{"instruction":"Repeat","output":"Once"}\n';
    const first = await uploadFile(alice.accessToken, 'repeat.jsonl', content);
    const filesBefore = listFiles(datasetsDir);

    const second = await uploadFile(alice.accessToken, 'repeat-again.jsonl', content);

    assert.equal(first.status, 201);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.body.duplicate, true);
    assert.equal(second.body.dataset.id, first.body.dataset.id);
    assert.equal(second.body.dataset.name, 'repeat');
    assert.deepEqual(listFiles(datasetsDir), filesBefore);
  });

  test('same bytes from two users share one file until both are deleted', async () => {
    const content = '{"instruction":"Share","output":"Shared"}\n';
    const fromAlice = await uploadFile(alice.accessToken, 'shared.jsonl', content);
    const fromBob = await uploadFile(bob.accessToken, 'shared.jsonl', content);
    const storedFile = `${fromAlice.body.dataset.sha256}.jsonl`;

    assert.equal(fromBob.status, 201);
    assert.notEqual(fromBob.body.dataset.id, fromAlice.body.dataset.id);
    assert.equal(storedFiles().filter((file) => file === storedFile).length, 1);

    const deleteAlice = await server.request(
      'DELETE',
      `/api/datasets/${fromAlice.body.dataset.id}`,
      {
        token: alice.accessToken,
      },
    );
    assert.equal(deleteAlice.status, 204);
    assert.ok(storedFiles().includes(storedFile));

    const deleteBob = await server.request('DELETE', `/api/datasets/${fromBob.body.dataset.id}`, {
      token: bob.accessToken,
    });
    assert.equal(deleteBob.status, 204);
    assert.ok(!storedFiles().includes(storedFile));
  });

  test('file over MAX_UPLOAD_MB is rejected with 413 and not kept', async () => {
    const rowsBefore = await Dataset.count();
    const line = `${JSON.stringify({ text: 'x'.repeat(1000) })}\n`;
    const big = Buffer.from(line.repeat(Math.ceil((1.5 * 1024 * 1024) / line.length)));
    const { body, contentType } = multipart([{ name: 'file', fileName: 'big.jsonl', data: big }]);

    // Chunked, so the server cannot reject it by Content-Length and has to count the bytes.
    const response = await rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': contentType },
      body: chunksOf(body, 64 * 1024),
      chunked: true,
    });

    assert.equal(response.status, 413, response.text);
    assert.equal(response.json.error?.code, 'payload_too_large');
    assert.match(
      response.json.error?.message ?? '',
      /upload limit of 1 MiB \(1,048,576 bytes\) \(MAX_UPLOAD_MB=1\)/,
    );
    assert.deepEqual(listFiles(path.join(datasetsDir, 'tmp')), []);
    assert.equal(await Dataset.count(), rowsBefore);
  });

  test('declared Content-Length over the limit is rejected before reading', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'a');
    const { body, contentType } = multipart([{ name: 'file', fileName: 'big.txt', data: big }]);

    const response = await rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${alice.accessToken}`, 'Content-Type': contentType },
      body,
    });

    assert.equal(response.status, 413);
    assert.match(response.json.error?.message ?? '', /MAX_UPLOAD_MB/);
  });

  test('list shows own datasets and searches names', async () => {
    await uploadFile(bob.accessToken, 'Bob Special Set.jsonl', '{"text":"bob only"}\n');

    const own = await server.request<{
      datasets: { ownerId: number; name: string }[];
      total: number;
    }>('GET', '/api/datasets?pageSize=200', { token: bob.accessToken });
    const searched = await server.request<{ datasets: { name: string }[]; total: number }>(
      'GET',
      '/api/datasets?q=special',
      { token: bob.accessToken },
    );

    assert.equal(own.status, 200);
    assert.ok(own.body.datasets.length > 0);
    assert.ok(own.body.datasets.every((dataset) => dataset.ownerId === bob.userId));
    assert.equal(own.body.total, own.body.datasets.length);
    assert.deepEqual(
      searched.body.datasets.map((dataset) => dataset.name),
      ['Bob Special Set'],
    );
  });

  test('list pages newest first and admins see every owner', async () => {
    const all = await server.request<{
      datasets: { id: number; ownerId: number }[];
      total: number;
    }>('GET', '/api/datasets?pageSize=200', { token: admin.accessToken });
    const firstPage = await server.request<{ datasets: { id: number }[]; total: number }>(
      'GET',
      '/api/datasets?page=1&pageSize=2',
      { token: admin.accessToken },
    );
    const secondPage = await server.request<{ datasets: { id: number }[] }>(
      'GET',
      '/api/datasets?page=2&pageSize=2',
      { token: admin.accessToken },
    );

    const owners = new Set(all.body.datasets.map((dataset) => dataset.ownerId));
    assert.ok(owners.has(alice.userId));
    assert.ok(owners.has(bob.userId));
    const ids = all.body.datasets.map((dataset) => dataset.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => b - a),
    );
    assert.equal(firstPage.body.total, all.body.total);
    assert.deepEqual(
      [...firstPage.body.datasets, ...secondPage.body.datasets].map((dataset) => dataset.id),
      ids.slice(0, 4),
    );
  });

  test("another user's dataset is 404 for every route", async () => {
    const created = await uploadFile(alice.accessToken, 'private.jsonl', '{"text":"private"}\n');
    const id = created.body.dataset.id;

    for (const [method, suffix] of [
      ['GET', ''],
      ['GET', '/download'],
      ['GET', '/dataset-info'],
      ['DELETE', ''],
    ] as const) {
      const response = await server.request(method, `/api/datasets/${id}${suffix}`, {
        token: bob.accessToken,
      });
      assert.equal(response.status, 404, `${method} ${suffix}`);
    }
    const asAdmin = await server.request('GET', `/api/datasets/${id}`, {
      token: admin.accessToken,
    });
    assert.equal(asAdmin.status, 200);
  });

  test('detail returns the report with errors and a preview', async () => {
    const content = '{"instruction":"Good","output":"Fine"}\nnot json\n';
    const created = await uploadFile(alice.accessToken, 'mixed.jsonl', content);

    const response = await server.request<{ dataset: ApiDatasetDetail }>(
      'GET',
      `/api/datasets/${created.body.dataset.id}`,
      { token: alice.accessToken },
    );

    assert.equal(created.status, 201);
    assert.equal(response.status, 200);
    const { dataset } = response.body;
    assert.equal(dataset.validCount, 1);
    assert.equal(dataset.invalidCount, 1);
    assert.equal(dataset.report.errorCount, 1);
    assert.equal(dataset.report.errors[0]?.line, 2);
    assert.equal(dataset.report.errors[0]?.record, 2);
    assert.deepEqual(dataset.report.preview[0], { instruction: 'Good', output: 'Fine' });
  });

  test('records LLaMA-Factory skips counted apart', async () => {
    const content =
      '{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"}]}\n' +
      '{"messages":[{"role":"user","content":"Q"},{"role":"assistant","content":"A"},' +
      '{"role":"user","content":"Q2"}]}\n' +
      'not json\n';
    const created = await uploadFile(alice.accessToken, 'skips.jsonl', content);

    const listed = await server.request<{ datasets: ApiDatasetDetail[] }>(
      'GET',
      '/api/datasets?q=skips',
      { token: alice.accessToken },
    );

    assert.equal(created.status, 201, created.text);
    const { dataset } = created.body;
    assert.equal(dataset.recordCount, 3);
    assert.equal(dataset.validCount, 1);
    assert.equal(dataset.invalidCount, 1);
    assert.equal(dataset.skippedCount, 1);
    assert.deepEqual(
      dataset.report.warnings.map((warning) => [warning.record, warning.code]),
      [[2, 'turn_order']],
    );
    assert.equal(listed.body.datasets[0]?.skippedCount, 1);
  });

  test('download drops invisible controls from the file name', async () => {
    const created = await uploadFile(alice.accessToken, 'plain.jsonl', '{"text":"rlo"}\n');
    // Stored before names were checked for these characters.
    await Dataset.update(
      { name: 'invoice\u202Elsnoj.exe' },
      { where: { id: created.body.dataset.id } },
    );

    const response = await fetch(`${server.url}/api/datasets/${created.body.dataset.id}/download`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    await response.arrayBuffer();

    assert.equal(
      response.headers.get('content-disposition'),
      `attachment; filename="invoicelsnoj.exe.jsonl"; filename*=UTF-8''invoicelsnoj.exe.jsonl`,
    );
  });

  test('download returns the bytes as uploaded with a safe file name', async () => {
    const content = Buffer.from('{"text":"naïve café"}\n{"text":"second"}\n');
    const created = await upload(alice.accessToken, [
      { name: 'name', data: '../Crème "brûlée"; x' },
      { name: 'file', fileName: 'download.jsonl', data: content },
    ]);

    const response = await fetch(`${server.url}/api/datasets/${created.body.dataset.id}/download`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const bytes = Buffer.from(await response.arrayBuffer());

    assert.equal(response.status, 200);
    assert.ok(bytes.equals(content));
    assert.equal(response.headers.get('content-length'), String(content.length));
    assert.equal(response.headers.get('content-type'), 'application/jsonl; charset=utf-8');
    const disposition = response.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename="Cr_me_br_l_e_x\.jsonl"; filename\*=UTF-8''/);
    assert.match(
      disposition,
      /filename\*=UTF-8''\.\._Cr%C3%A8me%20%22br%C3%BBl%C3%A9e%22%3B%20x\.jsonl$/,
    );
    assert.equal(response.headers.get('etag'), `"${created.body.dataset.sha256}"`);
  });

  test('dataset-info returns the LLaMA-Factory entry', async () => {
    const created = await uploadFile(
      alice.accessToken,
      'info.jsonl',
      SHAREGPT_JSONL.replace('Hi', 'Hey'),
    );
    const id = created.body.dataset.id;

    const response = await server.request<DatasetInfoResponse>(
      'GET',
      `/api/datasets/${id}/dataset-info`,
      {
        token: alice.accessToken,
      },
    );

    assert.equal(response.status, 200);
    assert.equal(response.body.datasetName, `lw_dataset_${id}`);
    assert.equal(response.body.fileName, `lw_dataset_${id}.jsonl`);
    assert.deepEqual(response.body.entry, {
      file_name: `lw_dataset_${id}.jsonl`,
      formatting: 'sharegpt',
      columns: { messages: 'conversations' },
    });
    assert.deepEqual(response.body.datasetInfo, { [`lw_dataset_${id}`]: response.body.entry });
  });

  test('delete removes the row and the file', async () => {
    const created = await uploadFile(alice.accessToken, 'doomed.csv', 'text\nfirst\nsecond\n');
    const storedFile = `${created.body.dataset.sha256}.csv`;
    assert.ok(storedFiles().includes(storedFile));

    const response = await server.request('DELETE', `/api/datasets/${created.body.dataset.id}`, {
      token: alice.accessToken,
    });
    const again = await server.request('GET', `/api/datasets/${created.body.dataset.id}`, {
      token: alice.accessToken,
    });

    assert.equal(response.status, 204);
    assert.equal(again.status, 404);
    assert.ok(!storedFiles().includes(storedFile));
  });

  test('create and delete are audited', async () => {
    const content = '{"text":"audited"}\n';
    const created = await uploadFile(alice.accessToken, 'audited.jsonl', content, [
      { name: 'name', data: 'Audited corpus' },
    ]);
    const id = created.body.dataset.id;
    await uploadFile(alice.accessToken, 'audited-again.jsonl', content);

    const deleted = await server.request('DELETE', `/api/datasets/${id}`, {
      token: admin.accessToken,
    });
    const entries = await AuditLog.findAll({
      where: { targetType: 'dataset', targetId: String(id) },
      order: [['id', 'ASC']],
    });
    const filtered = await server.request<{ entries: { action: string; targetId: string }[] }>(
      'GET',
      '/api/admin/audit-log?action=dataset.delete',
      { token: admin.accessToken },
    );

    assert.equal(created.status, 201);
    assert.equal(deleted.status, 204);
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['dataset.create', 'dataset.delete'],
    );
    const [create, remove] = entries;
    assert.equal(create?.actorId, alice.userId);
    assert.match(create?.ip ?? '', /127\.0\.0\.1/);
    assert.deepEqual(create?.details, {
      name: 'Audited corpus',
      fileType: 'jsonl',
      schema: 'pretraining',
      recordCount: 1,
      sizeBytes: Buffer.byteLength(content),
      sha256: createHash('sha256').update(content).digest('hex'),
      upload: 'form',
    });
    assert.equal(remove?.actorId, admin.userId);
    assert.equal(remove?.details?.ownerId, alice.userId);
    assert.equal(remove?.details?.name, 'Audited corpus');
    assert.ok(filtered.body.entries.some((entry) => entry.targetId === String(id)));
    assert.ok(filtered.body.entries.every((entry) => entry.action === 'dataset.delete'));
  });

  test('delete is refused while an unfinished training task uses the dataset', async () => {
    const created = await uploadFile(alice.accessToken, 'in-use.jsonl', '{"text":"in use"}\n');
    const id = created.body.dataset.id;
    const queryInterface = server.running.services.sequelize.getQueryInterface();
    const now = new Date();
    const task = (status: string) => ({
      owner_id: alice.userId,
      name: `task ${status}`,
      base_model: 'Qwen/Qwen2.5-0.5B',
      dataset_id: id,
      parameters: JSON.stringify({}),
      status,
      created_at: now,
      updated_at: now,
    });
    await queryInterface.bulkInsert('training_tasks', [task('running'), task('completed')]);

    const refused = await server.request('DELETE', `/api/datasets/${id}`, {
      token: alice.accessToken,
    });
    await queryInterface.bulkUpdate('training_tasks', { status: 'failed' }, { dataset_id: id });
    const allowed = await server.request('DELETE', `/api/datasets/${id}`, {
      token: alice.accessToken,
    });

    assert.equal(refused.status, 409);
    const error = (refused.body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'dataset_in_use');
    assert.match(error.message, /\(running\); stop or delete the task first/);
    assert.equal(allowed.status, 204);
  });

  test('nothing is left behind by the failed uploads', () => {
    assert.deepEqual(listFiles(path.join(datasetsDir, 'tmp')), []);
  });
});

/** Splits a buffer into chunks of `size` bytes. */
function* chunksOf(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) {
    yield buffer.subarray(offset, offset + size);
  }
}
