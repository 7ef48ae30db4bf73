import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { HttpError } from '../errors.js';
import { User } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { trainingOf } from '../training/registry.js';
import { resolveDatasetForTraining } from './forTraining.js';
import { multipart, rawRequest } from './testing/requests.js';

describe(`resolveDatasetForTraining (${testDialect})`, () => {
  let server: TestServer;
  let owner: User;
  let other: User;
  let admin: User;
  let ownerToken: string;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    const signedUp = await server.signUp('trainer');
    ownerToken = signedUp.accessToken;
    const otherUser = await server.signUp('stranger');
    const adminUser = await server.logInAdmin();
    owner = (await User.findByPk(signedUp.userId)) as User;
    other = (await User.findByPk(otherUser.userId)) as User;
    admin = (await User.findByPk(adminUser.userId)) as User;
  });

  after(async () => {
    await server.close();
  });

  const upload = async (fileName: string, content: string): Promise<number> => {
    const { body, contentType } = multipart([{ name: 'file', fileName, data: content }]);
    const response = await rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ownerToken}`, 'Content-Type': contentType },
      body,
    });
    assert.equal(response.status, 201, response.text);
    return (response.json.dataset as { id: number }).id;
  };

  const failsWith = (status: number, code: string) => (error: unknown) =>
    error instanceof HttpError && error.status === status && error.code === code;

  test('returns the file, its upload name and the dataset_info entry', async () => {
    const content = '{"instruction":"Hi","input":"","output":"Hello"}\n';
    const id = await upload('clean.jsonl', content);

    const resolved = await resolveDatasetForTraining(server.running.services, id, owner);

    assert.equal(fs.readFileSync(resolved.path, 'utf8'), content);
    assert.equal(resolved.fileName, `lw_dataset_${id}.jsonl`);
    assert.equal(resolved.datasetName, `lw_dataset_${id}`);
    assert.deepEqual(resolved.entry, {
      file_name: `lw_dataset_${id}.jsonl`,
      formatting: 'alpaca',
      columns: { prompt: 'instruction', query: 'input', response: 'output' },
    });
    assert.equal(resolved.sha256, resolved.dataset.sha256);
    assert.equal(resolved.sizeBytes, Buffer.byteLength(content));
    const forAdmin = await resolveDatasetForTraining(server.running.services, id, admin);
    assert.equal(forAdmin.path, resolved.path);
  });

  test("another user's dataset is not found", async () => {
    const id = await upload('secret.jsonl', '{"text":"secret"}\n');

    await assert.rejects(
      resolveDatasetForTraining(server.running.services, id, other),
      failsWith(404, 'not_found'),
    );
  });

  test('a dataset with validation errors is refused', async () => {
    const id = await upload('broken.jsonl', '{"text":"fine"}\n{broken\n');

    await assert.rejects(
      resolveDatasetForTraining(server.running.services, id, owner),
      (error: unknown) =>
        failsWith(422, 'dataset_has_errors')(error) &&
        /has 1 validation error, the first at line 2/.test((error as Error).message),
    );
  });

  test('a missing file is reported', async () => {
    const id = await upload('vanishing.jsonl', '{"text":"soon gone"}\n');
    const resolved = await resolveDatasetForTraining(server.running.services, id, owner);
    fs.rmSync(resolved.path);

    await assert.rejects(
      resolveDatasetForTraining(server.running.services, id, owner),
      failsWith(500, 'dataset_file_missing'),
    );
  });
});

describe(`training dataset source (${testDialect})`, () => {
  let server: TestServer;
  let owner: { accessToken: string; userId: number };
  let stranger: { accessToken: string; userId: number };

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    owner = await server.signUp('source-owner');
    stranger = await server.signUp('source-stranger');
  });

  after(async () => {
    await server.close();
  });

  test('the server trains on uploaded datasets', async () => {
    const content = '{"instruction":"Hi","input":"","output":"Hello"}\n';
    const { body, contentType } = multipart([
      { name: 'file', fileName: 'hi.jsonl', data: content },
    ]);
    const response = await rawRequest(`${server.url}/api/datasets`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${owner.accessToken}`, 'Content-Type': contentType },
      body,
    });
    assert.equal(response.status, 201, response.text);
    const id = (response.json.dataset as { id: number }).id;
    const source = trainingOf(server.running.services).datasetSource;

    const resolved = await source.resolve(id, { id: owner.userId, role: 'user' });
    const hidden = await source.resolve(id, { id: stranger.userId, role: 'user' });
    const missing = await source.resolve(id + 1000, { id: owner.userId, role: 'user' });

    assert.ok(resolved !== undefined);
    assert.equal(fs.readFileSync(resolved.path, 'utf8'), content);
    assert.equal(resolved.fileName, `lw_dataset_${id}.jsonl`);
    assert.equal(resolved.recordCount, 1);
    assert.equal(resolved.entry.formatting, 'alpaca');
    assert.equal(hidden, undefined);
    assert.equal(missing, undefined);
  });
});
