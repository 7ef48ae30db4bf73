import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type {
  ApiModelConfig,
  ProviderTestResult,
  SyncModelsResult,
} from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider, ProviderKind } from '../../../shared/src/api/providers.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { AuditLog } from '../models/index.js';
import { startFakeAnthropicServer } from '../testing/fakeProviders/anthropic.js';
import { startFakeOllamaServer } from '../testing/fakeProviders/ollama.js';
import { startFakeOpenAiServer, type FakeOpenAiModel } from '../testing/fakeProviders/openai.js';
import type { FakeProviderServer } from '../testing/fakeProviders/types.js';
import { testDialect, TestServer } from '../testing/testServer.js';

/** The connection test's time limit in these tests, in milliseconds. */
const TEST_TIMEOUT_MS = 1000;

interface Account {
  accessToken: string;
  userId: number;
}

/** What each fake lists, as the provider's client reports it. */
const SYNC_CASES: {
  kind: ProviderKind;
  start: () => Promise<FakeProviderServer>;
  modelIds: string[];
  /** One model whose context length the provider reports. */
  withContext: { modelId: string; contextLength: number; type: string };
  listPath: string;
}[] = [
  {
    kind: 'openai',
    start: () => startFakeOpenAiServer(),
    modelIds: [
      'Qwen/Qwen2.5-VL-7B-Instruct',
      'deepseek-reasoner',
      'gpt-4o',
      'gpt-5',
      'kimi-k2-thinking',
      'meta-llama/Llama-3.1-8B-Instruct',
      'o3-mini',
      'qwen/qwq-32b',
      'text-embedding-3-small',
    ],
    withContext: { modelId: 'Qwen/Qwen2.5-VL-7B-Instruct', contextLength: 32768, type: 'vision' },
    listPath: '/v1/models',
  },
  {
    kind: 'anthropic',
    start: () => startFakeAnthropicServer(),
    modelIds: [
      'claude-2.1',
      'claude-3-5-haiku-20241022',
      'claude-3-7-sonnet-20250219',
      'claude-opus-4-1-20250805',
      'claude-sonnet-4-5-20250929',
    ],
    withContext: {
      modelId: 'claude-opus-4-1-20250805',
      contextLength: 180_000,
      type: 'reasoning',
    },
    listPath: '/v1/models',
  },
  {
    kind: 'ollama',
    start: () => startFakeOllamaServer({ apiKey: 'proxy-key-for-ollama' }),
    modelIds: ['gpt-oss:20b', 'llama3.2:latest', 'llava:7b', 'nomic-embed-text:latest', 'qwen3:8b'],
    withContext: { modelId: 'qwen3:8b', contextLength: 40960, type: 'reasoning' },
    listPath: '/api/tags',
  },
];

/** Sorts by UTF-16 code units, as the expected lists above are sorted. */
function sorted(values: string[]): string[] {
  return [...values].sort();
}

describe(`provider sync and test (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  let admin: Account;
  const fakes = new Map<ProviderKind, FakeProviderServer>();
  /** The OpenAI fake lists this array on every request, so tests change it between syncs. */
  const changingModels: FakeOpenAiModel[] = [];
  let changingFake: FakeProviderServer;

  before(async () => {
    server = await TestServer.start({
      AUTH_MAX_FAILURES: '1000',
      PROVIDER_TEST_TIMEOUT_MS: String(TEST_TIMEOUT_MS),
    });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    admin = await server.logInAdmin();
    for (const syncCase of SYNC_CASES) {
      fakes.set(syncCase.kind, await syncCase.start());
    }
    changingFake = await startFakeOpenAiServer({ models: changingModels });
  });

  after(async () => {
    for (const fake of fakes.values()) {
      await fake.close();
    }
    await changingFake.close();
    await server.close();
  });

  function fakeOf(kind: ProviderKind): FakeProviderServer {
    const fake = fakes.get(kind);
    assert.ok(fake !== undefined);
    return fake;
  }

  async function createProvider(
    owner: Account,
    body: { kind: ProviderKind; name: string; baseUrl: string; apiKey?: string; shared?: boolean },
  ): Promise<number> {
    const response = await server.request<{ provider: ApiProvider }>('POST', '/api/providers', {
      token: owner.accessToken,
      body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.provider.id;
  }

  /** Creates a provider of the kind pointed at its fake, with the fake's key. */
  function providerFor(owner: Account, kind: ProviderKind, name: string, shared = false) {
    const fake = fakeOf(kind);
    return createProvider(owner, {
      kind,
      name,
      baseUrl: fake.baseUrl,
      ...(fake.apiKey === '' ? {} : { apiKey: fake.apiKey }),
      shared,
    });
  }

  const sync = (owner: Account, providerId: number) =>
    server.request<SyncModelsResult & ApiErrorBody>(
      'POST',
      `/api/providers/${providerId}/sync-models`,
      { token: owner.accessToken },
    );

  const testConnection = (owner: Account, providerId: number) =>
    server.request<ProviderTestResult>('POST', `/api/providers/${providerId}/test`, {
      token: owner.accessToken,
    });

  const getProvider = async (owner: Account, providerId: number) =>
    (
      await server.request<{ provider: ApiProvider }>('GET', `/api/providers/${providerId}`, {
        token: owner.accessToken,
      })
    ).body.provider;

  const storedModelIds = async (owner: Account, providerId: number) =>
    (
      await server.request<{ models: { modelId: string }[] }>(
        'GET',
        `/api/providers/${providerId}/models`,
        { token: owner.accessToken },
      )
    ).body.models.map((model) => model.modelId);

  for (const syncCase of SYNC_CASES) {
    test(`sync stores the ${syncCase.kind} model list`, async () => {
      const fake = fakeOf(syncCase.kind);
      const providerId = await providerFor(alice, syncCase.kind, `Sync ${syncCase.kind}`);
      const listRequests = () =>
        fake.requests.filter((request) => request.path.startsWith(syncCase.listPath)).length;
      const listRequestsBefore = listRequests();

      const response = await sync(alice, providerId);

      assert.equal(response.status, 200, JSON.stringify(response.body));
      // The order follows the database collation, which differs between SQLite and MySQL.
      assert.deepEqual(
        sorted(response.body.models.map((model) => model.modelId)),
        syncCase.modelIds,
      );
      assert.equal(response.body.added, syncCase.modelIds.length);
      assert.equal(response.body.removed, 0);
      assert.deepEqual(response.body.orphanedConfigs, []);
      const withContext = response.body.models.find(
        (model) => model.modelId === syncCase.withContext.modelId,
      );
      assert.equal(withContext?.contextLength, syncCase.withContext.contextLength);
      assert.equal(withContext?.type, syncCase.withContext.type);
      assert.ok(listRequests() > listRequestsBefore);
      assert.deepEqual(sorted(await storedModelIds(alice, providerId)), syncCase.modelIds);
      const provider = await getProvider(alice, providerId);
      assert.equal(provider.status, 'ok');
      assert.equal(provider.lastError, null);
      assert.notEqual(provider.lastCheckedAt, null);
    });
  }

  test('repeated sync keeps model ids', async () => {
    const providerId = await providerFor(alice, 'anthropic', 'Resync');
    const first = await sync(alice, providerId);

    const second = await sync(alice, providerId);

    assert.equal(second.status, 200);
    assert.equal(second.body.added, 0);
    assert.equal(second.body.removed, 0);
    assert.deepEqual(
      second.body.models.map((model) => model.id),
      first.body.models.map((model) => model.id),
    );
  });

  test('sync flags and then clears a missing model', async () => {
    changingModels.splice(0, changingModels.length, { id: 'keeps-coming' }, { id: 'comes-back' });
    const providerId = await createProvider(alice, {
      kind: 'openai-compatible',
      name: 'Changing list',
      baseUrl: changingFake.baseUrl,
      apiKey: changingFake.apiKey,
    });
    await sync(alice, providerId);
    const created = await server.request<{ modelConfig: ApiModelConfig }>(
      'POST',
      '/api/model-configs',
      { token: alice.accessToken, body: { providerId, modelId: 'comes-back' } },
    );
    const configId = created.body.modelConfig.id;
    const readConfig = async () =>
      (
        await server.request<{ modelConfig: ApiModelConfig }>(
          'GET',
          `/api/model-configs/${configId}`,
          { token: alice.accessToken },
        )
      ).body.modelConfig;

    changingModels.splice(1, 1);
    const dropped = await sync(alice, providerId);
    const whileMissing = await readConfig();
    changingModels.push({ id: 'comes-back' });
    const returned = await sync(alice, providerId);
    const afterReturn = await readConfig();

    assert.equal(dropped.status, 200);
    assert.equal(dropped.body.removed, 1);
    assert.deepEqual(dropped.body.orphanedConfigs, [
      { id: configId, displayName: 'comes-back', modelId: 'comes-back' },
    ]);
    assert.equal(whileMissing.modelMissing, true);
    assert.equal(returned.body.added, 1);
    assert.deepEqual(returned.body.orphanedConfigs, []);
    assert.equal(afterReturn.modelMissing, false);
  });

  test('failed sync keeps the stored list', async () => {
    const providerId = await providerFor(alice, 'openai', 'Key rotates');
    await sync(alice, providerId);
    await server.request('PATCH', `/api/providers/${providerId}`, {
      token: alice.accessToken,
      body: { apiKey: 'sk-revoked-key-000000' },
    });

    const response = await sync(alice, providerId);

    assert.equal(response.status, 502);
    assert.equal(response.body.error.code, 'auth');
    assert.match(response.body.error.message, /rejected the API key/);
    const details = response.body.error.details as { providerMessage: string; status: number };
    assert.match(details.providerMessage, /^Incorrect API key provided/);
    assert.equal(details.status, 401);
    assert.deepEqual(sorted(await storedModelIds(alice, providerId)), SYNC_CASES[0]?.modelIds);
    const provider = await getProvider(alice, providerId);
    assert.equal(provider.status, 'error');
    assert.equal(provider.lastError, response.body.error.message);
  });

  test('sync is for the owner and admins', async () => {
    const alicesProvider = await providerFor(alice, 'ollama', 'Alice Ollama');
    const sharedProvider = await providerFor(admin, 'ollama', 'Team Ollama', true);

    const bobSyncsAlice = await sync(bob, alicesProvider);
    const aliceSyncsShared = await sync(alice, sharedProvider);
    const adminSyncsAlice = await sync(admin, alicesProvider);
    const adminSyncsShared = await sync(admin, sharedProvider);

    assert.equal(bobSyncsAlice.status, 404);
    assert.equal(aliceSyncsShared.status, 403);
    assert.match(aliceSyncsShared.body.error.message, /only an admin can sync its models/);
    assert.equal(adminSyncsAlice.status, 200);
    assert.equal(adminSyncsShared.status, 200);
  });

  test('sync is audited', async () => {
    const providerId = await providerFor(alice, 'anthropic', 'Audited sync');

    await sync(alice, providerId);

    const entries = await AuditLog.findAll({
      where: { action: 'provider.sync_models', targetId: String(providerId) },
    });
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.actorId, alice.userId);
    assert.deepEqual(entries[0]?.details, { ok: true, added: 5, removed: 0, total: 5 });
  });

  test('connection test reports latency and count', async () => {
    const providerId = await providerFor(alice, 'anthropic', 'Test ok');

    const response = await testConnection(alice, providerId);

    assert.equal(response.status, 200);
    assert.equal(response.body.ok, true);
    assert.equal(response.body.modelCount, 5);
    assert.equal(typeof response.body.latencyMs, 'number');
    assert.ok(response.body.latencyMs >= 0);
    assert.ok(response.body.latencyMs < TEST_TIMEOUT_MS);
    assert.equal(response.body.error, undefined);
    assert.equal((await getProvider(alice, providerId)).status, 'ok');
  });

  test('connection test with a wrong key', async () => {
    const fake = fakeOf('ollama');
    const providerId = await createProvider(alice, {
      kind: 'ollama',
      name: 'Wrong key',
      baseUrl: fake.baseUrl,
      apiKey: 'not-the-proxy-key',
    });

    const response = await testConnection(alice, providerId);

    assert.equal(response.status, 200);
    assert.equal(response.body.ok, false);
    assert.equal(response.body.modelCount, null);
    assert.equal(response.body.error?.code, 'auth');
    assert.equal(response.body.error?.status, 401);
    assert.notEqual(response.body.error?.providerMessage, undefined);
    const provider = await getProvider(alice, providerId);
    assert.equal(provider.status, 'error');
    assert.equal(provider.lastError, response.body.error?.message);
  });

  /** Starts a server that accepts connections and never responds; returns its URL and closer. */
  async function startSilentServer() {
    const silent = http.createServer(() => {
      // No response is ever sent, so the client's time limit ends the request.
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: async () => {
        silent.closeAllConnections();
        await new Promise<void>((resolve) => silent.close(() => resolve()));
      },
    };
  }

  /** Returns a loopback port that had a listener a moment ago and now has none. */
  async function closedPort(): Promise<number> {
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }

  test('connection test failures differ by kind', async () => {
    const openAi = fakeOf('openai');
    const silent = await startSilentServer();
    const port = await closedPort();
    const cases: { name: string; body: Parameters<typeof createProvider>[1]; code: string }[] = [
      {
        name: 'wrong key',
        body: { kind: 'openai', name: 'F key', baseUrl: openAi.baseUrl, apiKey: 'sk-wrong-0000' },
        code: 'auth',
      },
      {
        name: 'wrong path',
        body: {
          kind: 'openai',
          name: 'F path',
          baseUrl: openAi.baseUrl.replace(/\/v1$/, '/wrong/v1'),
          apiKey: openAi.apiKey,
        },
        code: 'not_found',
      },
      {
        name: 'nothing listening',
        body: { kind: 'openai', name: 'F port', baseUrl: `http://127.0.0.1:${port}/v1` },
        code: 'unreachable',
      },
      {
        name: 'stalled server',
        body: { kind: 'openai', name: 'F stall', baseUrl: `${silent.url}/v1`, apiKey: 'sk-x' },
        code: 'timeout',
      },
    ];

    const results: ProviderTestResult[] = [];
    try {
      for (const testCase of cases) {
        const providerId = await createProvider(alice, testCase.body);
        const started = Date.now();
        const response = await testConnection(alice, providerId);
        assert.equal(response.status, 200, testCase.name);
        assert.equal(response.body.ok, false, testCase.name);
        assert.equal(response.body.error?.code, testCase.code, testCase.name);
        assert.ok(Date.now() - started < TEST_TIMEOUT_MS + 3000, `${testCase.name} took too long`);
        results.push(response.body);
      }
    } finally {
      await silent.close();
    }

    const [wrongKey, wrongPath, unreachable, stalled] = results;
    assert.match(wrongKey?.error?.providerMessage ?? '', /Incorrect API key provided/);
    assert.match(
      wrongPath?.error?.providerMessage ?? '',
      /Invalid URL \(GET \/wrong\/v1\/models\)/,
    );
    assert.equal(wrongPath?.error?.status, 404);
    assert.match(unreachable?.error?.message ?? '', new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.ok((stalled?.latencyMs ?? 0) >= TEST_TIMEOUT_MS - 50, `${stalled?.latencyMs} ms`);
    const messages = new Set(results.map((result) => result.error?.message));
    assert.equal(messages.size, cases.length);
  });

  test('connection test over TLS to plain HTTP', async () => {
    const openAi = fakeOf('openai');
    const providerId = await createProvider(alice, {
      kind: 'openai',
      name: 'TLS mismatch',
      baseUrl: openAi.baseUrl.replace(/^http:/, 'https:'),
      apiKey: openAi.apiKey,
    });

    const response = await testConnection(alice, providerId);

    assert.equal(response.body.ok, false);
    assert.equal(response.body.error?.code, 'tls');
  });

  test('connection test of a hidden provider is 404', async () => {
    const providerId = await providerFor(alice, 'anthropic', 'Hidden from Bob');

    const response = await testConnection(bob, providerId);

    assert.equal(response.status, 404);
  });
});
