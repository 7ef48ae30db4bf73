import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider } from '../../../shared/src/api/providers.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { ModelConfig, Provider } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';

interface Account {
  accessToken: string;
  userId: number;
}

type SavedBody = { provider: ApiProvider; urlChanges: string[] } & ApiErrorBody;

/** A base URL on loopback that nothing is sent to: these tests only save providers. */
const BASE_URL = 'http://127.0.0.1:9/v1';

describe(`provider input checks (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  let admin: Account;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    admin = await server.logInAdmin();
  });

  after(async () => {
    await server.close();
  });

  const create = (owner: Account, body: Record<string, unknown>) =>
    server.request<SavedBody>('POST', '/api/providers', {
      token: owner.accessToken,
      body: { kind: 'openai-compatible', baseUrl: BASE_URL, ...body },
    });

  const update = (owner: Account, id: number, body: Record<string, unknown>) =>
    server.request<SavedBody>('PATCH', `/api/providers/${id}`, { token: owner.accessToken, body });

  const rejected: [string, Record<string, unknown>, RegExp][] = [
    [
      'a key with non-ASCII characters',
      { apiKey: 'sk-ключ-0000000000' },
      /^Invalid body\.apiKey: must contain only printable ASCII characters/,
    ],
    [
      'a blank key',
      { apiKey: '   ' },
      /^Invalid body\.apiKey: must not be blank; leave apiKey out, or send null/,
    ],
    [
      'a header value with non-ASCII characters',
      { headers: { 'X-Team': 'équipe' } },
      /^Invalid body\.headers\.X-Team: must contain only visible ASCII characters/,
    ],
    [
      'the Host header',
      { headers: { Host: 'example.com' } },
      /^Invalid body\.headers\.Host: is set by the HTTP client or changes the connection; remove the Host header/,
    ],
    [
      'a header name with a space',
      { headers: { 'X Team': 'a' } },
      /^Invalid body\.headers\.X Team: is not a header name/,
    ],
    [
      'names differing only in case',
      { headers: { 'X-Team': 'a', 'x-team': 'b' } },
      /^Invalid body\.headers\.x-team: repeats the header X-Team, because header names ignore case/,
    ],
    [
      'an Authorization header',
      { headers: { Authorization: 'Bearer sk-elsewhere-0000' } },
      /^Invalid body\.headers\.Authorization: carries the API key of openai-compatible providers; put the key in apiKey instead/,
    ],
    [
      'an x-api-key header on anthropic',
      { kind: 'anthropic', baseUrl: 'http://127.0.0.1:9', headers: { 'X-Api-Key': 'k-0000000' } },
      /^Invalid body\.headers\.X-Api-Key: carries the API key of anthropic providers/,
    ],
    [
      'a misspelt field',
      { baseURL: 'https://api.example.com/v1' },
      /^Invalid body: has unknown field baseURL/,
    ],
    [
      'a query string',
      { baseUrl: 'https://x.openai.azure.com/openai?api-version=2024-10-21' },
      /has the query string \?api-version=2024-10-21; remove it/,
    ],
    ['a right-to-left override in the name', { name: 'evil\u202Etxt' }, /U\+202E/],
    ['a zero-width space in the name', { name: 'zero\u200Bwidth' }, /U\+200B/],
    ['a next-line character in the name', { name: 'next\u0085line' }, /U\+0085/],
    ['DEL in the name', { name: 'del\u007Fete' }, /U\+007F/],
  ];
  for (const [name, body, message] of rejected) {
    test(`create rejects ${name}`, async () => {
      const response = await create(alice, { name: `Rejected ${name}`, ...body });

      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.match(response.body.error.message, message);
    });
  }

  for (const header of ['Expect', 'Upgrade', 'Keep-Alive', 'TE', 'Proxy-Authorization', 'Cookie']) {
    test(`create rejects the ${header} header`, async () => {
      const response = await create(alice, {
        name: `Header ${header}`,
        headers: { [header]: 'x' },
      });

      assert.equal(response.status, 400);
      assert.match(
        response.body.error.message,
        new RegExp(`body\\.headers\\.${header}: is set by the HTTP client`),
      );
    });
  }

  test('x-api-key is a plain header for openai', async () => {
    const response = await create(alice, {
      name: 'Gateway key header',
      headers: { 'x-api-key': 'gateway-key-000000' },
    });

    assert.equal(response.status, 201);
    assert.deepEqual(response.body.provider.headerNames, ['x-api-key']);
  });

  test('names are trimmed to NFC', async () => {
    const response = await create(alice, { name: '  Cafe\u0301 Models  ' });

    assert.equal(response.status, 201);
    assert.equal(response.body.provider.name, 'Caf\u00E9 Models');
  });

  test('names ignore case on every database', async () => {
    const first = await create(bob, { name: 'Claude' });
    const lower = await create(bob, { name: 'claude' });
    const upper = await create(bob, { name: 'CLAUDE' });
    const accented = await create(bob, { name: 'Claudé' });

    assert.equal(first.status, 201);
    for (const response of [lower, upper]) {
      assert.equal(response.status, 409);
      assert.equal(response.body.error.code, 'provider_exists');
      assert.match(
        response.body.error.message,
        new RegExp(`named Claude \\(id ${first.body.provider.id}\\); names ignore case`),
      );
    }
    assert.equal(accented.status, 201);
  });

  test('rename into a taken name is a conflict', async () => {
    const taken = await create(bob, { name: 'Taken name' });
    const other = await create(bob, { name: 'Other name' });

    const renamed = await update(bob, other.body.provider.id, { name: 'TAKEN NAME' });
    const recased = await update(bob, taken.body.provider.id, { name: 'taken NAME' });

    assert.equal(renamed.status, 409);
    assert.match(renamed.body.error.message, /named Taken name/);
    assert.equal(recased.status, 200);
    assert.equal(recased.body.provider.name, 'taken NAME');
  });

  test('parallel creates of one name', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => create(alice, { name: 'Raced name' })),
    );

    const statuses = responses.map((response) => response.status).sort();
    assert.deepEqual(statuses, [201, 409, 409, 409, 409, 409, 409, 409]);
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      assert.equal(response.body.error.code, 'provider_exists');
      assert.match(response.body.error.message, /^You already have a provider named Raced name/);
    }
  });

  const masks: [string, string][] = [
    ['sk-abcdefgh', 'sk-…'],
    ['abcdefghijk', '…'],
    ['sk-abcdefghijklm', 'sk-…jklm'],
    ['sk-proj-abcdefghijklmnop', 'sk-…mnop'],
    ['0123456789abcdefXYZW', '…XYZW'],
  ];
  for (const [key, masked] of masks) {
    test(`key of ${key.length} characters masks as ${masked}`, async () => {
      const response = await create(alice, { name: `Mask ${key}`, apiKey: key });

      assert.equal(response.status, 201);
      assert.equal(response.body.provider.apiKeyMasked, masked);
    });
  }

  test('update rejects an empty base URL and a blank key', async () => {
    const created = await create(alice, {
      kind: 'openai',
      name: 'Keeps its URL',
      apiKey: 'sk-kept-key-000000',
    });
    const id = created.body.provider.id;

    const emptyUrl = await update(alice, id, { baseUrl: '' });
    const blankKey = await update(alice, id, { apiKey: '   ' });
    const stored = await Provider.findByPk(id);

    assert.equal(emptyUrl.status, 400);
    assert.match(
      emptyUrl.body.error.message,
      /^Invalid body\.baseUrl: must not be empty; leave baseUrl out/,
    );
    assert.equal(blankKey.status, 400);
    assert.equal(stored?.baseUrl, BASE_URL);
    assert.notEqual(stored?.apiKeyEncrypted, null);
  });

  test('path id errors name the value', async () => {
    const response = await server.request<ApiErrorBody>('GET', '/api/providers/abc', {
      token: alice.accessToken,
    });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /^Invalid path\.id: "abc" is not a provider id/);
  });

  test('deleting a provider other users use needs force', async () => {
    const shared = await create(admin, { name: 'Shared and used', shared: true });
    const id = shared.body.provider.id;
    const configOf = (owner: Account, modelId: string) =>
      server.request<{ modelConfig: ApiModelConfig }>('POST', '/api/model-configs', {
        token: owner.accessToken,
        body: { providerId: id, modelId },
      });
    await configOf(admin, 'admin-model');
    await configOf(alice, 'alice-model');
    await configOf(bob, 'bob-model');

    const refused = await server.request<ApiErrorBody>('DELETE', `/api/providers/${id}`, {
      token: admin.accessToken,
    });
    const forced = await server.request<{ deleted: Record<string, number> }>(
      'DELETE',
      `/api/providers/${id}?force=true`,
      { token: admin.accessToken },
    );

    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'provider_in_use');
    assert.match(
      refused.body.error.message,
      /has 2 model configs of other users.*all 3 of its configs.*\?force=true/,
    );
    assert.deepEqual(refused.body.error.details, { modelConfigs: 3, otherUsersModelConfigs: 2 });
    assert.equal(forced.status, 200);
    assert.deepEqual(forced.body, { deleted: { providerId: id, models: 0, modelConfigs: 3 } });
    assert.equal(await ModelConfig.count({ where: { providerId: id } }), 0);
  });

  test('owner deletes a provider with own configs', async () => {
    const created = await create(alice, { name: 'Only mine' });
    const id = created.body.provider.id;
    await server.request('POST', '/api/model-configs', {
      token: alice.accessToken,
      body: { providerId: id, modelId: 'my-model' },
    });

    const deleted = await server.request<{ deleted: Record<string, number> }>(
      'DELETE',
      `/api/providers/${id}`,
      { token: alice.accessToken },
    );

    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.deleted.modelConfigs, 1);
  });

  test('openapi documents the provider routes', async () => {
    const response = await server.request<{
      paths: Record<
        string,
        Record<string, { summary: string; responses: Record<string, unknown> }>
      >;
    }>('GET', '/api/openapi.json');
    const paths = response.body.paths;

    assert.match(paths['/api/providers']?.get?.summary ?? '', /admins get every provider/);
    assert.match(paths['/api/providers/{id}']?.delete?.summary ?? '', /every model config on it/);
    assert.ok(paths['/api/providers/{id}']?.delete?.responses['409']);
    assert.ok(paths['/api/providers/{id}/sync-models']?.post?.responses['502']);
    assert.ok(paths['/api/providers/{id}/test']?.post?.responses['429']);
  });
});
