import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { ProviderTestResult, SyncModelsResult } from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider, ProviderKind } from '../../../shared/src/api/providers.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { Provider } from '../models/index.js';
import { createProviderClient, type StreamEvent } from '../providers/clients/index.js';
import { startFakeAnthropicServer } from '../testing/fakeProviders/anthropic.js';
import type { HostileOptions } from '../testing/fakeProviders/hostile.js';
import { startFakeOllamaServer } from '../testing/fakeProviders/ollama.js';
import { startFakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import type { FakeProviderServer } from '../testing/fakeProviders/types.js';
import { testDialect, TestServer } from '../testing/testServer.js';

interface Account {
  accessToken: string;
  userId: number;
}

const KINDS: {
  kind: ProviderKind;
  start: (options: HostileOptions) => Promise<FakeProviderServer>;
}[] = [
  { kind: 'openai', start: (options) => startFakeOpenAiServer(options) },
  { kind: 'anthropic', start: (options) => startFakeAnthropicServer(options) },
  {
    kind: 'ollama',
    start: (options) => startFakeOllamaServer({ apiKey: 'ollama-proxy-key-1234567', ...options }),
  },
];

/** A custom header whose value is a credential, which must never leave for another host. */
const SECRET_HEADER = { 'X-Custom-Secret': 'custom-secret-value-0042' };

/** Starts a loopback server that records what reaches it, standing in for another host. */
async function startRecorder() {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.headers);
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"object":"list","data":[{"id":"stolen-model"}],"models":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe(`provider security (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  let admin: Account;
  const fakes: FakeProviderServer[] = [];

  before(async () => {
    server = await TestServer.start({
      AUTH_MAX_FAILURES: '1000',
      PROVIDER_LIST_TIMEOUT_MS: '5000',
    });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    admin = await server.logInAdmin();
  });

  after(async () => {
    for (const fake of fakes) {
      await fake.close();
    }
    await server.close();
  });

  async function fakeOf(kind: ProviderKind, options: HostileOptions = {}) {
    const fake = await KINDS.find((entry) => entry.kind === kind)!.start(options);
    fakes.push(fake);
    return fake;
  }

  async function createProvider(
    owner: Account,
    body: Record<string, unknown>,
  ): Promise<ApiProvider> {
    const response = await server.request<{ provider: ApiProvider }>('POST', '/api/providers', {
      token: owner.accessToken,
      body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.provider;
  }

  const testConnection = (owner: Account, id: number) =>
    server.request<ProviderTestResult & ApiErrorBody>('POST', `/api/providers/${id}/test`, {
      token: owner.accessToken,
    });

  const sync = (owner: Account, id: number) =>
    server.request<SyncModelsResult & ApiErrorBody>('POST', `/api/providers/${id}/sync-models`, {
      token: owner.accessToken,
    });

  for (const { kind } of KINDS) {
    test(`${kind} redirect is not followed`, async () => {
      const elsewhere = await startRecorder();
      try {
        const fake = await fakeOf(kind, { redirectTo: `${elsewhere.url}/v1/models` });
        const provider = await createProvider(alice, {
          kind,
          name: `Redirecting ${kind}`,
          baseUrl: fake.baseUrl,
          apiKey: fake.apiKey || 'sk-some-proxy-key-0000',
          headers: SECRET_HEADER,
        });

        const tested = await testConnection(alice, provider.id);
        const synced = await sync(alice, provider.id);

        assert.equal(tested.body.ok, false);
        assert.equal(tested.body.error?.code, 'redirected');
        assert.match(
          tested.body.error?.message ?? '',
          /redirected the request to http:\/\/127\.0\.0\.1:\d+\/v1\/models/,
        );
        assert.match(tested.body.error?.message ?? '', /set the base URL to its new address/);
        assert.equal(synced.status, 502);
        assert.equal(synced.body.error.code, 'redirected');
        assert.equal(elsewhere.requests.length, 0, 'a request reached the other host');
      } finally {
        await elsewhere.close();
      }
    });
  }

  for (const { kind } of KINDS) {
    test(`${kind} chat calls are not redirected`, async () => {
      const elsewhere = await startRecorder();
      try {
        const fake = await fakeOf(kind, { redirectTo: `${elsewhere.url}/v1/chat/completions` });
        const client = createProviderClient({
          kind,
          baseUrl: fake.baseUrl,
          apiKey: fake.apiKey || 'sk-some-proxy-key-0000',
          headers: SECRET_HEADER,
        });
        const request = {
          model: 'any-model',
          messages: [{ role: 'user' as const, content: 'Hi' }],
          params: { temperature: 0.5, maxTokens: 64, topP: 0.9, topK: 0 },
        };

        const events: StreamEvent[] = [];
        for await (const event of client.stream(request)) {
          events.push(event);
        }

        await assert.rejects(client.complete(request), { code: 'redirected' });
        const last = events.at(-1);
        assert.equal(last?.type === 'error' ? last.error.code : last?.type, 'redirected');
        assert.equal(elsewhere.requests.length, 0, 'a chat request reached the other host');
      } finally {
        await elsewhere.close();
      }
    });
  }

  for (const { kind } of KINDS) {
    test(`${kind} echoed credentials are scrubbed`, async () => {
      const fake = await fakeOf(kind, { echoCredentials: true });
      const apiKey = fake.apiKey || 'sk-some-proxy-key-0000';
      const provider = await createProvider(admin, {
        kind,
        name: `Echoing ${kind}`,
        baseUrl: fake.baseUrl,
        apiKey,
        headers: SECRET_HEADER,
        shared: true,
      });

      const tested = await testConnection(admin, provider.id);
      const synced = await sync(admin, provider.id);
      const seenByAlice = await server.request<{ provider: ApiProvider }>(
        'GET',
        `/api/providers/${provider.id}`,
        { token: alice.accessToken },
      );

      const secrets = [
        apiKey,
        SECRET_HEADER['X-Custom-Secret'],
        Buffer.from(`Bearer ${apiKey}`).toString('base64'),
        Buffer.from(SECRET_HEADER['X-Custom-Secret']).toString('base64'),
      ];
      const texts = {
        testMessage: tested.body.error?.message ?? '',
        testProviderMessage: tested.body.error?.providerMessage ?? '',
        syncResponse: JSON.stringify(synced.body),
        lastError: seenByAlice.body.provider.lastError ?? '',
        log: server.log.join('\n'),
      };
      assert.equal(tested.body.ok, false);
      assert.match(texts.testProviderMessage, /\[redacted\]/);
      for (const [where, text] of Object.entries(texts)) {
        for (const secret of secrets) {
          assert.equal(text.includes(secret), false, `${where} contains ${secret}`);
        }
      }
    });
  }

  for (const { kind } of KINDS) {
    test(`${kind} chat errors are scrubbed`, async () => {
      const fake = await fakeOf(kind, { echoCredentials: true });
      const apiKey = fake.apiKey || 'sk-some-proxy-key-0000';
      const client = createProviderClient({ kind, baseUrl: fake.baseUrl, apiKey, headers: {} });

      const events: StreamEvent[] = [];
      for await (const event of client.stream({
        model: 'any-model',
        messages: [{ role: 'user', content: 'Hi' }],
        params: { temperature: 0.5, maxTokens: 64, topP: 0.9, topK: 0 },
      })) {
        events.push(event);
      }

      const last = events.at(-1);
      assert.ok(last?.type === 'error', JSON.stringify(last));
      assert.equal(last.error.code, 'auth');
      assert.match(last.error.details.providerMessage ?? '', /\[redacted\]/);
      assert.equal(
        JSON.stringify([last.error.message, last.error.details]).includes(apiKey),
        false,
      );
    });
  }

  test('long provider text is cut to 2,000 characters', async () => {
    const fake = await fakeOf('ollama', { echoCredentials: true });
    const provider = await createProvider(alice, {
      kind: 'ollama',
      name: 'Long error',
      baseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      headers: { 'X-Custom-Filler': 'f'.repeat(1500) },
    });

    const tested = await testConnection(alice, provider.id);

    assert.equal(tested.body.error?.code, 'auth');
    assert.ok((tested.body.error?.providerMessage ?? '').length <= 2000);
    assert.ok((tested.body.error?.message ?? '').length <= 2000);
  });

  test('new host needs the key again', async () => {
    const fake = await fakeOf('openai');
    const elsewhere = await startRecorder();
    try {
      const provider = await createProvider(alice, {
        kind: 'openai',
        name: 'Moving',
        baseUrl: fake.baseUrl,
        apiKey: fake.apiKey,
        headers: SECRET_HEADER,
      });
      const path = `/api/providers/${provider.id}`;

      const byAdmin = await server.request<ApiErrorBody>('PATCH', path, {
        token: admin.accessToken,
        body: { baseUrl: `${elsewhere.url}/v1` },
      });
      const keyOnly = await server.request<ApiErrorBody>('PATCH', path, {
        token: alice.accessToken,
        body: { baseUrl: `${elsewhere.url}/v1`, apiKey: 'sk-for-the-new-host-0001' },
      });
      const samePlace = await server.request<ApiErrorBody>('PATCH', path, {
        token: alice.accessToken,
        body: { baseUrl: `${fake.baseUrl}/chat/completions` },
      });
      const complete = await server.request<{ provider: ApiProvider }>('PATCH', path, {
        token: alice.accessToken,
        body: { baseUrl: `${elsewhere.url}/v1`, apiKey: 'sk-for-the-new-host-0001', headers: null },
      });
      await testConnection(alice, provider.id);

      assert.equal(byAdmin.status, 400);
      assert.match(byAdmin.body.error.message, /body\.apiKey: is required when the base URL moves/);
      const issues = (byAdmin.body.error.details as { issues: { field: string }[] }).issues;
      assert.deepEqual(
        issues.map((issue) => issue.field),
        ['body.apiKey', 'body.headers'],
      );
      assert.equal(keyOnly.status, 400);
      assert.match(keyOnly.body.error.message, /body\.headers: is required/);
      assert.equal(samePlace.status, 200);
      assert.equal(complete.status, 200);
      assert.equal(elsewhere.requests.length, 1);
      assert.equal(elsewhere.requests[0]?.authorization, 'Bearer sk-for-the-new-host-0001');
      assert.equal(elsewhere.requests[0]?.['x-custom-secret'], undefined);
    } finally {
      await elsewhere.close();
    }
  });

  for (const { kind } of KINDS) {
    test(`${kind} oversized model list is cut off`, async () => {
      let sent = 0;
      const bytes = 64 * 1024 * 1024;
      const fake = await fakeOf(kind, {
        hugeBody: {
          bytes,
          onSent: (count) => {
            sent = count;
          },
        },
      });
      const provider = await createProvider(alice, {
        kind,
        name: `Huge ${kind}`,
        baseUrl: fake.baseUrl,
        ...(fake.apiKey === '' ? {} : { apiKey: fake.apiKey }),
      });

      const tested = await testConnection(alice, provider.id);
      await new Promise((resolve) => setTimeout(resolve, 100));

      assert.equal(tested.body.ok, false);
      assert.equal(tested.body.error?.code, 'too_large');
      assert.match(tested.body.error?.message ?? '', /larger than 16 MiB/);
      assert.ok(sent < bytes / 2, `the server sent ${sent} bytes before the client stopped`);
    });
  }

  test('shared provider test leaves its status', async () => {
    const fake = await fakeOf('anthropic');
    const provider = await createProvider(admin, {
      kind: 'anthropic',
      name: 'Team test',
      baseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
      shared: true,
    });

    const byAlice = await testConnection(alice, provider.id);
    const afterAlice = await Provider.findByPk(provider.id);
    const byAdmin = await testConnection(admin, provider.id);
    const afterAdmin = await Provider.findByPk(provider.id);

    assert.equal(byAlice.body.ok, true);
    assert.equal(byAlice.body.statusUpdated, false);
    assert.equal(afterAlice?.status, 'unknown');
    assert.equal(afterAlice?.lastCheckedAt, null);
    assert.equal(byAdmin.body.statusUpdated, true);
    assert.equal(afterAdmin?.status, 'ok');
  });

  test('bob cannot test a hidden provider', async () => {
    const fake = await fakeOf('openai');
    const provider = await createProvider(alice, {
      kind: 'openai',
      name: 'Hidden',
      baseUrl: fake.baseUrl,
      apiKey: fake.apiKey,
    });

    const response = await testConnection(bob, provider.id);

    assert.equal(response.status, 404);
  });
});

describe(`provider address policy (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  let carol: Account;
  let admin: Account;
  let fake: FakeProviderServer;

  before(async () => {
    server = await TestServer.start({
      AUTH_MAX_FAILURES: '1000',
      PROVIDER_PRIVATE_NETWORKS: 'admins',
      PROVIDER_TESTS_PER_MINUTE: '3',
    });
    alice = await server.signUp('alice');
    carol = await server.signUp('carol');
    admin = await server.logInAdmin();
    fake = await startFakeOpenAiServer();
  });

  after(async () => {
    await fake.close();
    await server.close();
  });

  const create = (owner: Account, body: Record<string, unknown>) =>
    server.request<{ provider: ApiProvider } & ApiErrorBody>('POST', '/api/providers', {
      token: owner.accessToken,
      body: { kind: 'openai-compatible', apiKey: fake.apiKey, ...body },
    });

  const privateUrls = [
    'http://127.0.0.1:8000/v1',
    'http://localhost:11434/v1',
    'http://app.localhost/v1',
    'http://10.1.2.3/v1',
    'http://172.20.0.1/v1',
    'http://192.168.1.10/v1',
    'http://100.64.0.1/v1',
    'http://[::1]:8000/v1',
    'http://[fd12:3456::1]/v1',
    'http://[::ffff:127.0.0.1]/v1',
    'http://2130706433/v1',
  ];
  for (const baseUrl of privateUrls) {
    test(`user may not save ${baseUrl}`, async () => {
      const response = await create(alice, { name: `Private ${baseUrl}`, baseUrl });

      assert.equal(response.status, 400);
      assert.match(
        response.body.error.message,
        /^Invalid body\.baseUrl: The base URL host .* is a loopback or private network address/,
      );
      assert.match(response.body.error.message, /PROVIDER_PRIVATE_NETWORKS=all/);
    });
  }

  const forbiddenUrls = [
    'http://169.254.169.254/latest/meta-data/v1',
    'http://[fd00:ec2::254]/v1',
    'http://100.100.100.200/v1',
    'http://0.0.0.0:8000/v1',
    'http://[fe80::1]/v1',
    'http://224.0.0.1/v1',
    'http://255.255.255.255/v1',
    'http://[::ffff:169.254.169.254]/v1',
    'http://[64:ff9b::a9fe:a9fe]/v1',
  ];
  for (const baseUrl of forbiddenUrls) {
    test(`nobody may save ${baseUrl}`, async () => {
      const byUser = await create(alice, { name: `Forbidden ${baseUrl}`, baseUrl });
      const byAdmin = await create(admin, { name: `Forbidden ${baseUrl}`, baseUrl });

      assert.equal(byUser.status, 400);
      assert.equal(byAdmin.status, 400);
      assert.match(
        byAdmin.body.error.message,
        /link-local, cloud metadata, multicast or reserved address/,
      );
    });
  }

  test('default ollama URL is for admins', async () => {
    const byUser = await server.request<ApiErrorBody>('POST', '/api/providers', {
      token: alice.accessToken,
      body: { kind: 'ollama', name: 'Local Ollama' },
    });
    const byAdmin = await server.request('POST', '/api/providers', {
      token: admin.accessToken,
      body: { kind: 'ollama', name: 'Local Ollama' },
    });

    assert.equal(byUser.status, 400);
    assert.match(byUser.body.error.message, /host 127\.0\.0\.1 is a loopback/);
    assert.equal(byAdmin.status, 201);
  });

  test('admin provider on loopback works for users', async () => {
    const created = await create(admin, { name: 'Team vLLM', baseUrl: fake.baseUrl, shared: true });
    const id = created.body.provider.id;

    const response = await server.request<ProviderTestResult>('POST', `/api/providers/${id}/test`, {
      token: alice.accessToken,
    });

    assert.equal(created.status, 201);
    assert.equal(response.body.ok, true, JSON.stringify(response.body));
  });

  test('address is checked again on connect', async () => {
    // A user's provider whose host name later resolves to loopback, as a DNS change would make it.
    const created = await create(alice, { name: 'Rebound', baseUrl: 'http://203.0.113.7/v1' });
    const id = created.body.provider.id;
    await Provider.update({ baseUrl: fake.baseUrl }, { where: { id } });
    const requestsBefore = fake.requests.length;

    const tested = await server.request<ProviderTestResult>('POST', `/api/providers/${id}/test`, {
      token: alice.accessToken,
    });

    assert.equal(created.status, 201);
    assert.equal(tested.body.ok, false);
    assert.equal(tested.body.error?.code, 'blocked_address');
    assert.match(tested.body.error?.message ?? '', /loopback or private network address/);
    assert.equal(fake.requests.length, requestsBefore);
  });

  test('user edit of an admin-set address is checked', async () => {
    const created = await create(alice, { name: 'Set by admin', baseUrl: 'http://203.0.113.8/v1' });
    const path = `/api/providers/${created.body.provider.id}`;
    const byAdmin = await server.request('PATCH', path, {
      token: admin.accessToken,
      body: { baseUrl: fake.baseUrl, apiKey: fake.apiKey },
    });

    const byOwner = await server.request<ApiErrorBody>('PATCH', path, {
      token: alice.accessToken,
      body: { baseUrl: `${fake.baseUrl}/`, apiKey: fake.apiKey },
    });
    const tested = await server.request<ProviderTestResult>('POST', `${path}/test`, {
      token: alice.accessToken,
    });

    assert.equal(byAdmin.status, 200);
    assert.equal(byOwner.status, 400);
    assert.match(byOwner.body.error.message, /loopback or private network/);
    assert.equal(tested.body.ok, true);
  });

  test('tests are limited per user', async () => {
    const created = await create(admin, {
      name: 'Rate limited',
      baseUrl: fake.baseUrl,
      shared: true,
    });
    const path = `/api/providers/${created.body.provider.id}/test`;

    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof server.request<ApiErrorBody>>> | undefined;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      last = await server.request<ApiErrorBody>('POST', path, { token: carol.accessToken });
      statuses.push(last.status);
    }
    const byAdmin = await server.request('POST', path, { token: admin.accessToken });

    assert.deepEqual(statuses, [200, 200, 200, 429]);
    assert.equal(last?.body.error.code, 'rate_limited');
    assert.match(
      last?.body.error.message ?? '',
      /You ran 3 provider connection tests in the last minute; try again in \d+ seconds/,
    );
    assert.match(last?.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(byAdmin.status, 200);
  });
});
