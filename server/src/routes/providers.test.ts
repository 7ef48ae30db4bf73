import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Provider } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';

interface ProviderBody {
  provider: Record<string, unknown> & { id: number };
  urlChanges: string[];
}

describe(`providers API (${testDialect})`, () => {
  let server: TestServer;
  let alice: { accessToken: string; userId: number };
  let bob: { accessToken: string; userId: number };
  let admin: { accessToken: string; userId: number };

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    admin = await server.logInAdmin();
  });

  after(async () => {
    await server.close();
  });

  const create = (token: string, body: Record<string, unknown>) =>
    server.request<ProviderBody>('POST', '/api/providers', { token, body });

  test('create stores the key encrypted and masks it', async () => {
    const response = await create(alice.accessToken, {
      kind: 'openai',
      name: 'OpenAI',
      apiKey: 'sk-proj-abcdefghijklmnop',
    });

    assert.equal(response.status, 201);
    assert.equal(response.body.provider.apiKeyMasked, 'sk-…mnop');
    assert.equal(response.body.provider.baseUrl, 'https://api.openai.com/v1');
    assert.equal(JSON.stringify(response.body).includes('abcdefghijklmnop'), false);
    const stored = await Provider.findByPk(response.body.provider.id);
    assert.notEqual(stored?.apiKeyEncrypted, null);
    assert.equal(stored?.apiKeyEncrypted?.includes('abcdefgh'), false);
  });

  test('create normalizes the base URL and says how', async () => {
    const response = await create(alice.accessToken, {
      kind: 'openai-compatible',
      name: 'DeepSeek',
      baseUrl: 'https://api.deepseek.com/v1/chat/completions',
      apiKey: 'sk-deepseek-1234567',
    });

    assert.equal(response.status, 201);
    assert.equal(response.body.provider.baseUrl, 'https://api.deepseek.com/v1');
    assert.deepEqual(response.body.urlChanges, ['removed /chat/completions']);
  });

  test('custom headers keep names only', async () => {
    const response = await create(alice.accessToken, {
      kind: 'openai-compatible',
      name: 'Gateway',
      baseUrl: 'http://127.0.0.1:9/v1',
      headers: { 'X-Team': 'ml-secret-team' },
    });

    assert.equal(response.status, 201);
    assert.deepEqual(response.body.provider.headerNames, ['X-Team']);
    assert.equal(JSON.stringify(response.body).includes('ml-secret-team'), false);
  });

  test('base URL too long once normalized is rejected', async () => {
    // Each "é" in the path becomes "%C3%A9", so 200 of them grow to 1,200 characters.
    const baseUrl = `https://api.example.com/${'é'.repeat(200)}/v1`;

    const response = await create(alice.accessToken, {
      kind: 'openai-compatible',
      name: 'Long',
      baseUrl,
    });

    assert.equal(response.status, 400);
    assert.match(
      (response.body as unknown as { error: { message: string } }).error.message,
      /once normalized; the maximum is 512/,
    );
  });

  test('headers over 8192 characters in all are rejected', async () => {
    // 20 values of 4,096 characters each fit the per-header limits but, encrypted, not MySQL's
    // 65,535-byte TEXT column.
    const headers = Object.fromEntries(
      Array.from({ length: 20 }, (_, index) => [`X-Header-${index}`, 'v'.repeat(4096)]),
    );

    const response = await create(alice.accessToken, {
      kind: 'openai',
      name: 'Many headers',
      headers,
    });

    assert.equal(response.status, 400);
    assert.match(
      (response.body as unknown as { error: { message: string } }).error.message,
      /^Invalid body\.headers: must have at most 8192 characters/,
    );
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    ['name with a line break', { kind: 'openai', name: 'two\nlines' }, /body\.name/],
    [
      'API key with a line break',
      { kind: 'openai', name: 'x', apiKey: 'sk-1\r\nX-Evil: 1' },
      /body\.apiKey/,
    ],
    ['unknown kind', { kind: 'gemini', name: 'x' }, /body\.kind/],
    ['empty name', { kind: 'openai', name: '  ' }, /body\.name/],
    ['compatible without URL', { kind: 'openai-compatible', name: 'x' }, /needs a base URL/],
    [
      'URL without scheme',
      { kind: 'openai', name: 'x', baseUrl: 'api.openai.com' },
      /is not a URL/,
    ],
    ['reserved header', { kind: 'openai', name: 'x', headers: { Host: 'a' } }, /body\.headers/],
    [
      'header with a newline',
      { kind: 'openai', name: 'x', headers: { 'X-A': 'a\r\nB: c' } },
      /body\.headers/,
    ],
  ];
  for (const [name, body, message] of invalid) {
    test(`create rejects ${name}`, async () => {
      const response = await server.request<{ error: { code: string; message: string } }>(
        'POST',
        '/api/providers',
        { token: alice.accessToken, body },
      );

      assert.equal(response.status, 400);
      assert.match(response.body.error.message, message);
    });
  }

  test('duplicate name names the existing one', async () => {
    const first = await create(bob.accessToken, { kind: 'ollama', name: 'Local' });
    const second = await server.request<{ error: { code: string; message: string } }>(
      'POST',
      '/api/providers',
      { token: bob.accessToken, body: { kind: 'ollama', name: 'Local' } },
    );

    assert.equal(first.status, 201);
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'provider_exists');
    assert.match(second.body.error.message, new RegExp(`id ${first.body.provider.id}`));
  });

  test('users see only their own and shared providers', async () => {
    const shared = await create(admin.accessToken, {
      kind: 'anthropic',
      name: 'Team Claude',
      shared: true,
    });
    const bobsOwn = await create(bob.accessToken, { kind: 'openai', name: 'Bob OpenAI' });

    const aliceList = await server.request<{ providers: { id: number }[] }>(
      'GET',
      '/api/providers',
      {
        token: alice.accessToken,
      },
    );
    const aliceSeesBob = await server.request('GET', `/api/providers/${bobsOwn.body.provider.id}`, {
      token: alice.accessToken,
    });
    const aliceEditsShared = await server.request(
      'PATCH',
      `/api/providers/${shared.body.provider.id}`,
      {
        token: alice.accessToken,
        body: { name: 'Mine now' },
      },
    );
    const aliceDeletesBob = await server.request(
      'DELETE',
      `/api/providers/${bobsOwn.body.provider.id}`,
      {
        token: alice.accessToken,
      },
    );
    const ids = aliceList.body.providers.map((provider) => provider.id);

    assert.equal(ids.includes(shared.body.provider.id), true);
    assert.equal(ids.includes(bobsOwn.body.provider.id), false);
    assert.equal(aliceSeesBob.status, 404);
    assert.equal(aliceEditsShared.status, 403);
    assert.equal(aliceDeletesBob.status, 404);
  });

  test('only admins share providers', async () => {
    const response = await server.request<{ error: { code: string } }>('POST', '/api/providers', {
      token: alice.accessToken,
      body: { kind: 'openai', name: 'Shared attempt', shared: true },
    });

    assert.equal(response.status, 403);
  });

  test('update replaces and clears the key', async () => {
    const created = await create(alice.accessToken, {
      kind: 'openai',
      name: 'Rotating',
      apiKey: 'sk-old-key-000000',
    });
    const id = created.body.provider.id;

    const rotated = await server.request<ProviderBody>('PATCH', `/api/providers/${id}`, {
      token: alice.accessToken,
      body: { apiKey: 'sk-new-key-999999', baseUrl: 'https://api.openai.com/' },
    });
    const cleared = await server.request<ProviderBody>('PATCH', `/api/providers/${id}`, {
      token: alice.accessToken,
      body: { apiKey: null },
    });
    const kindChange = await server.request<{ error: { message: string } }>(
      'PATCH',
      `/api/providers/${id}`,
      {
        token: alice.accessToken,
        body: { kind: 'anthropic' },
      },
    );

    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.provider.apiKeyMasked, 'sk-…9999');
    assert.deepEqual(rotated.body.urlChanges, ['added /v1']);
    assert.equal(cleared.body.provider.apiKeyMasked, null);
    assert.equal(kindChange.status, 400);
    assert.match(kindChange.body.error.message, /cannot change/);
  });

  test('delete removes the provider', async () => {
    const created = await create(alice.accessToken, { kind: 'ollama', name: 'Temporary' });
    const id = created.body.provider.id;

    const deleted = await server.request('DELETE', `/api/providers/${id}`, {
      token: alice.accessToken,
    });
    const after = await server.request('GET', `/api/providers/${id}`, { token: alice.accessToken });

    assert.equal(deleted.status, 200);
    assert.deepEqual(deleted.body, { deleted: { providerId: id, models: 0, modelConfigs: 0 } });
    assert.equal(after.status, 404);
  });

  test('models list starts empty', async () => {
    const created = await create(alice.accessToken, { kind: 'ollama', name: 'No models yet' });

    const response = await server.request<{ models: unknown[]; total: number }>(
      'GET',
      `/api/providers/${created.body.provider.id}/models`,
      { token: alice.accessToken },
    );

    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { models: [], total: 0 });
  });

  test('providers need a signed-in user', async () => {
    const response = await server.request('GET', '/api/providers');

    assert.equal(response.status, 401);
  });
});
