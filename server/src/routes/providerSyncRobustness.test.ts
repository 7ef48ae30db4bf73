import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type {
  ApiModelConfig,
  ProviderTestResult,
  SyncModelsResult,
} from '../../../shared/src/api/modelConfigs.js';
import {
  MODEL_CAPABILITIES,
  type ApiProvider,
  type ProviderKind,
} from '../../../shared/src/api/providers.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { SecretBox } from '../crypto/secretBox.js';
import { Provider } from '../models/index.js';
import { startFakeAnthropicServer } from '../testing/fakeProviders/anthropic.js';
import type { HostileOptions } from '../testing/fakeProviders/hostile.js';
import { startFakeOllamaServer } from '../testing/fakeProviders/ollama.js';
import { startFakeOpenAiServer, type FakeOpenAiModel } from '../testing/fakeProviders/openai.js';
import type { FakeProviderServer } from '../testing/fakeProviders/types.js';
import { testDialect, TestServer } from '../testing/testServer.js';

/** The list time limit in these tests, in milliseconds. */
const LIST_TIMEOUT_MS = 1000;

interface Account {
  accessToken: string;
  userId: number;
}

const STARTERS: Record<ProviderKind, (options: HostileOptions) => Promise<FakeProviderServer>> = {
  openai: (options) => startFakeOpenAiServer(options),
  'openai-compatible': (options) => startFakeOpenAiServer(options),
  anthropic: (options) => startFakeAnthropicServer(options),
  ollama: (options) => startFakeOllamaServer(options),
};

/** Starts a loopback server with the test's handler. */
async function startLoopback(handler: http.RequestListener) {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Starts a model list server that holds each response until the test releases it. */
async function startGatedServer() {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let signalArrival = (): void => undefined;
  const arrival = new Promise<void>((resolve) => {
    signalArrival = resolve;
  });
  const loopback = await startLoopback((_request, response) => {
    signalArrival();
    void gate.then(() => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ object: 'list', data: [{ id: 'listed-before-the-change' }] }));
    });
  });
  return { ...loopback, arrival, release };
}

describe(`provider sync robustness (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  const closers: (() => Promise<void>)[] = [];

  before(async () => {
    server = await TestServer.start({
      AUTH_MAX_FAILURES: '1000',
      PROVIDER_LIST_TIMEOUT_MS: String(LIST_TIMEOUT_MS),
      PROVIDER_TESTS_PER_MINUTE: '1000',
    });
    alice = await server.signUp('alice');
  });

  after(async () => {
    for (const close of closers) {
      await close();
    }
    await server.close();
  });

  async function fakeOf(kind: ProviderKind, options: HostileOptions = {}) {
    const fake = await STARTERS[kind](options);
    closers.push(() => fake.close());
    return fake;
  }

  async function loopback(handler: http.RequestListener) {
    const started = await startLoopback(handler);
    closers.push(started.close);
    return started;
  }

  async function createProvider(body: Record<string, unknown>): Promise<ApiProvider> {
    const response = await server.request<{ provider: ApiProvider }>('POST', '/api/providers', {
      token: alice.accessToken,
      body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.provider;
  }

  async function providerOn(kind: ProviderKind, fake: FakeProviderServer, name: string) {
    return createProvider({
      kind,
      name,
      baseUrl: fake.baseUrl,
      ...(fake.apiKey === '' ? {} : { apiKey: fake.apiKey }),
    });
  }

  const testConnection = (id: number) =>
    server.request<ProviderTestResult>('POST', `/api/providers/${id}/test`, {
      token: alice.accessToken,
    });

  const sync = (id: number) =>
    server.request<SyncModelsResult & ApiErrorBody>('POST', `/api/providers/${id}/sync-models`, {
      token: alice.accessToken,
    });

  const storedProvider = async (id: number) => (await Provider.findByPk(id))!;

  const wrongShapes: [string, NonNullable<HostileOptions['listBody']>][] = [
    ['data that is no list', { contentType: 'application/json', body: '{"data":"nope"}' }],
    ['an HTML page', { contentType: 'text/html', body: '<html><body>Welcome</body></html>' }],
  ];
  for (const kind of ['openai', 'anthropic', 'ollama'] as const) {
    for (const [shape, listBody] of wrongShapes) {
      test(`${kind} list of ${shape} is malformed`, async () => {
        const fake = await fakeOf(kind, { listBody });
        const provider = await providerOn(kind, fake, `Wrong shape ${kind} ${shape}`);

        const tested = await testConnection(provider.id);
        const synced = await sync(provider.id);

        assert.equal(tested.body.ok, false);
        assert.equal(tested.body.error?.code, 'malformed');
        assert.equal(synced.status, 502);
        assert.equal(synced.body.error.code, 'malformed');
        assert.equal((await storedProvider(provider.id)).status, 'error');
      });
    }
  }

  test('endless paging stops at a repeated cursor', async () => {
    const fake = await startFakeAnthropicServer({ endlessPaging: true });
    closers.push(() => fake.close());
    const provider = await providerOn('anthropic', fake, 'Endless pages');

    const tested = await testConnection(provider.id);

    assert.equal(tested.body.error?.code, 'malformed');
    assert.match(tested.body.error?.message ?? '', /page 2 repeats the cursor/);
    assert.equal(
      fake.requests.filter((request) => request.path.startsWith('/v1/models')).length,
      2,
    );
  });

  test('paging stops after 50 pages', async () => {
    let pages = 0;
    const endless = await loopback((_request, response) => {
      pages += 1;
      const id = `claude-page-${pages}`;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: [{ id }], has_more: true, last_id: id }));
    });
    const provider = await createProvider({
      kind: 'anthropic',
      name: 'Fifty pages',
      baseUrl: endless.url,
      apiKey: 'sk-ant-any-key-0000',
    });

    const tested = await testConnection(provider.id);

    assert.equal(tested.body.error?.code, 'malformed');
    assert.match(tested.body.error?.message ?? '', /still had more after 50 pages/);
    assert.equal(pages, 50);
  });

  test('unusable model ids are skipped', async () => {
    const models: FakeOpenAiModel[] = [
      { id: 'good-model' },
      { id: 'Model' },
      { id: 'model' },
      { id: 'modèle' },
      { id: 'modele' },
      { id: 'ｍｏｄｅｌ' },
      { id: 'straße' },
      { id: 'strasse' },
      { id: '<b>html</b>' },
      { id: 'big-context', context_length: 3_000_000_000 },
      { id: 'good-model' },
      { id: 'trailing ' },
      { id: 'nul\u0000id' },
      { id: 'crlf\r\nid' },
      { id: 'tab\tid' },
      { id: 'bidi\u202Eid' },
      { id: 'zero\u200Bwidth' },
      { id: 'lone\uD800' },
      { id: 'x'.repeat(192) },
    ];
    const fake = await startFakeOpenAiServer({ models });
    closers.push(() => fake.close());
    const provider = await providerOn('openai-compatible', fake, 'Odd ids');

    const tested = await testConnection(provider.id);
    const synced = await sync(provider.id);

    assert.equal(synced.status, 200, JSON.stringify(synced.body));
    const stored = synced.body.models.map((model) => model.modelId).sort();
    assert.deepEqual(
      stored,
      [
        'good-model',
        'Model',
        'model',
        'modèle',
        'modele',
        'ｍｏｄｅｌ',
        'straße',
        'strasse',
        '<b>html</b>',
        'big-context',
      ].sort(),
    );
    assert.equal(tested.body.modelCount, stored.length);
    assert.equal(tested.body.skippedCount, 9);
    assert.equal(synced.body.skippedCount, 9);
    const reasons = Object.fromEntries(
      synced.body.skipped.map((skip) => [skip.modelId, skip.reason]),
    );
    assert.equal(reasons['"good-model"'], 'repeats an earlier model');
    assert.equal(reasons['"trailing "'], 'the id starts or ends with white space');
    assert.match(
      reasons['"nul\\u0000id"'] ?? '',
      /control, invisible or bidirectional character U\+0000/,
    );
    assert.match(reasons['"bidi\\u202eid"'] ?? '', /U\+202E/);
    assert.match(reasons['"zero\\u200bwidth"'] ?? '', /U\+200B/);
    assert.match(reasons['"lone\\ud800"'] ?? '', /unpaired surrogate/);
    const big = synced.body.models.find((model) => model.modelId === 'big-context');
    assert.equal(big?.contextLength, null);
  });

  test('capabilities use one vocabulary', async () => {
    for (const kind of ['openai', 'anthropic', 'ollama'] as const) {
      const fake = await fakeOf(kind);
      const provider = await providerOn(kind, fake, `Vocabulary ${kind}`);

      const synced = await sync(provider.id);

      assert.equal(synced.status, 200, JSON.stringify(synced.body));
      for (const model of synced.body.models) {
        for (const capability of model.capabilities) {
          assert.ok(
            (MODEL_CAPABILITIES as readonly string[]).includes(capability),
            `${kind} ${model.modelId} has ${capability}`,
          );
        }
      }
      if (kind === 'ollama') {
        const qwen = synced.body.models.find((model) => model.modelId === 'qwen3:8b');
        assert.deepEqual(qwen?.capabilities, ['chat', 'tools', 'reasoning']);
      }
    }
  });

  test('lowered context length flags configs', async () => {
    const models: FakeOpenAiModel[] = [{ id: 'shrinking', max_model_len: 128_000 }];
    const fake = await startFakeOpenAiServer({ models });
    closers.push(() => fake.close());
    const provider = await providerOn('openai-compatible', fake, 'Shrinking context');
    await sync(provider.id);
    const created = await server.request<{ modelConfig: ApiModelConfig }>(
      'POST',
      '/api/model-configs',
      {
        token: alice.accessToken,
        body: { providerId: provider.id, modelId: 'shrinking', maxTokens: 100_000 },
      },
    );
    const configId = created.body.modelConfig.id;

    models[0]!.max_model_len = 8192;
    const synced = await sync(provider.id);
    const flagged = await server.request<{ modelConfig: ApiModelConfig }>(
      'GET',
      `/api/model-configs/${configId}`,
      { token: alice.accessToken },
    );
    const lowered = await server.request<{ modelConfig: ApiModelConfig }>(
      'PATCH',
      `/api/model-configs/${configId}`,
      { token: alice.accessToken, body: { maxTokens: 8000 } },
    );

    assert.equal(created.body.modelConfig.exceedsContextLength, false);
    assert.deepEqual(synced.body.configsOverLimit, [
      {
        id: configId,
        displayName: 'shrinking',
        modelId: 'shrinking',
        maxTokens: 100_000,
        contextLength: 8192,
      },
    ]);
    assert.equal(flagged.body.modelConfig.exceedsContextLength, true);
    assert.equal(lowered.body.modelConfig.exceedsContextLength, false);
  });

  test('change during sync discards the list', async () => {
    const gated = await startGatedServer();
    closers.push(gated.close);
    const provider = await createProvider({
      kind: 'openai-compatible',
      name: 'Changed mid-sync',
      baseUrl: `${gated.url}/v1`,
      apiKey: 'sk-the-first-key-0000',
    });

    const pending = sync(provider.id);
    await gated.arrival;
    const changed = await server.request('PATCH', `/api/providers/${provider.id}`, {
      token: alice.accessToken,
      body: { apiKey: 'sk-the-second-key-000' },
    });
    gated.release();
    const synced = await pending;

    assert.equal(changed.status, 200);
    assert.equal(synced.status, 409);
    assert.equal(synced.body.error.code, 'provider_changed');
    assert.match(synced.body.error.message, /changed during the sync.*; sync again\.$/);
    const models = await server.request<{ total: number }>(
      'GET',
      `/api/providers/${provider.id}/models`,
      { token: alice.accessToken },
    );
    assert.equal(models.body.total, 0);
    assert.equal((await storedProvider(provider.id)).status, 'unknown');
  });

  test('delete during sync is a 404', async () => {
    const gated = await startGatedServer();
    closers.push(gated.close);
    const provider = await createProvider({
      kind: 'openai-compatible',
      name: 'Deleted mid-sync',
      baseUrl: `${gated.url}/v1`,
    });

    const pending = sync(provider.id);
    await gated.arrival;
    const deleted = await server.request('DELETE', `/api/providers/${provider.id}`, {
      token: alice.accessToken,
    });
    gated.release();
    const synced = await pending;

    assert.equal(deleted.status, 200);
    assert.equal(synced.status, 404);
    assert.match(synced.body.error.message, /was deleted during the sync/);
  });

  test('unreadable stored key is reported', async () => {
    const fake = await fakeOf('openai');
    const provider = await providerOn('openai', fake, 'Old secret');
    const otherBox = new SecretBox('a-different-app-secret-of-40-characters!');
    await Provider.update(
      { apiKeyEncrypted: otherBox.encrypt(fake.apiKey) },
      { where: { id: provider.id } },
    );

    const tested = await testConnection(provider.id);
    const synced = await sync(provider.id);

    assert.equal(tested.status, 200);
    assert.equal(tested.body.ok, false);
    assert.equal(tested.body.error?.code, 'stored_key_unreadable');
    assert.match(tested.body.error?.message ?? '', /APP_SECRET changed.*enter the key/);
    assert.equal(synced.status, 409);
    assert.equal(synced.body.error.code, 'stored_key_unreadable');
    assert.equal((await storedProvider(provider.id)).status, 'error');
  });

  for (const kind of ['openai', 'ollama'] as const) {
    test(`${kind} sync uses the list time limit`, async () => {
      const silent = await loopback(() => {
        // Never responds, so the list time limit ends the request.
      });
      const provider = await createProvider({
        kind,
        name: `Silent ${kind}`,
        baseUrl: kind === 'openai' ? `${silent.url}/v1` : silent.url,
      });

      const started = Date.now();
      const synced = await sync(provider.id);
      const elapsed = Date.now() - started;

      assert.equal(synced.status, 502);
      assert.equal(synced.body.error.code, 'timeout');
      assert.doesNotMatch(synced.body.error.message, /loading/);
      assert.ok(elapsed < LIST_TIMEOUT_MS + 2000, `the sync took ${elapsed} ms`);
    });
  }

  test('404 on the list points at the base URL', async () => {
    const openAi = await fakeOf('openai');
    const ollama = await fakeOf('ollama');
    const wrongPath = await createProvider({
      kind: 'openai',
      name: 'Wrong path',
      baseUrl: openAi.baseUrl.replace(/\/v1$/, '/wrong/v1'),
      apiKey: openAi.apiKey,
    });
    const notAnthropic = await createProvider({
      kind: 'anthropic',
      name: 'Not Anthropic',
      baseUrl: ollama.baseUrl,
      apiKey: 'sk-ant-any-key-0000',
    });

    const openAiResult = await testConnection(wrongPath.id);
    const anthropicResult = await testConnection(notAnthropic.id);

    for (const result of [openAiResult, anthropicResult]) {
      assert.equal(result.body.error?.code, 'not_found');
      assert.match(result.body.error?.message ?? '', /check that the base URL points at/);
      assert.doesNotMatch(result.body.error?.message ?? '', /model id/);
    }
  });
});
