import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { AuditLog, ProviderModel } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';

interface ConfigBody {
  modelConfig: ApiModelConfig;
}

interface ConfigList {
  modelConfigs: ApiModelConfig[];
  total: number;
}

interface Account {
  accessToken: string;
  userId: number;
}

describe(`model configs API (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;
  let admin: Account;
  /** Alice's provider with a synced list of two models. */
  let syncedProviderId: number;
  /** Alice's provider that was never synced. */
  let unsyncedProviderId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    admin = await server.logInAdmin();
    syncedProviderId = await createProvider(alice, { kind: 'openai', name: 'Synced' });
    unsyncedProviderId = await createProvider(alice, { kind: 'openai', name: 'Unsynced' });
    await seedModels(syncedProviderId, [
      { modelId: 'gpt-4o', contextLength: 128_000 },
      { modelId: 'gpt-4o-mini', contextLength: null },
      { modelId: 'o3', contextLength: 200_000, type: 'reasoning' },
      { modelId: 'text-embedding-3-small', contextLength: 8191, type: 'embedding' },
      { modelId: 'tiny', contextLength: 2048 },
    ]);
  });

  after(async () => {
    await server.close();
  });

  async function createProvider(owner: Account, body: Record<string, unknown>): Promise<number> {
    const response = await server.request<{ provider: { id: number } }>('POST', '/api/providers', {
      token: owner.accessToken,
      body: { baseUrl: 'http://127.0.0.1:9/v1', ...body },
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.provider.id;
  }

  /** Stores a model list the way a sync leaves it. */
  async function seedModels(
    providerId: number,
    models: {
      modelId: string;
      contextLength: number | null;
      type?: 'chat' | 'reasoning' | 'embedding';
    }[],
  ): Promise<void> {
    for (const model of models) {
      const type = model.type ?? 'chat';
      await ProviderModel.create({
        providerId,
        modelId: model.modelId,
        displayName: model.modelId,
        type,
        capabilities: type === 'embedding' ? ['embedding'] : ['chat', type],
        contextLength: model.contextLength,
      });
    }
  }

  const create = (owner: Account, body: Record<string, unknown>) =>
    server.request<ConfigBody & ApiErrorBody>('POST', '/api/model-configs', {
      token: owner.accessToken,
      body,
    });

  const update = (owner: Account, id: number, body: Record<string, unknown>) =>
    server.request<ConfigBody & ApiErrorBody>('PATCH', `/api/model-configs/${id}`, {
      token: owner.accessToken,
      body,
    });

  const list = (owner: Account, query = '') =>
    server.request<ConfigList>('GET', `/api/model-configs${query}`, { token: owner.accessToken });

  test('create fills in the defaults', async () => {
    const response = await create(alice, { providerId: syncedProviderId, modelId: 'gpt-4o' });

    assert.equal(response.status, 201, JSON.stringify(response.body));
    const config = response.body.modelConfig;
    assert.equal(config.displayName, 'gpt-4o');
    assert.equal(config.temperature, 0.7);
    assert.equal(config.maxTokens, 8192);
    assert.equal(config.topP, 0.9);
    assert.equal(config.topK, 0);
    assert.equal(config.reasoning, null);
    assert.equal(config.priceInputPerMTok, null);
    assert.equal(config.priceOutputPerMTok, null);
    assert.equal(config.enabled, true);
    assert.equal(config.modelMissing, false);
    assert.equal(config.ownerId, alice.userId);
    assert.equal(config.providerName, 'Synced');
    assert.equal(config.providerKind, 'openai');
  });

  test('create stores every field given', async () => {
    const response = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'o3',
      displayName: 'Precise o3',
      temperature: 0.1,
      maxTokens: 4000,
      topP: 0.5,
      topK: 40,
      reasoning: { effort: 'high' },
      priceInputPerMTok: 2.5,
      priceOutputPerMTok: 10,
      enabled: false,
    });
    const fetched = await server.request<ConfigBody>(
      'GET',
      `/api/model-configs/${response.body.modelConfig.id}`,
      { token: alice.accessToken },
    );

    assert.equal(response.status, 201, JSON.stringify(response.body));
    const config = fetched.body.modelConfig;
    assert.equal(config.displayName, 'Precise o3');
    assert.equal(config.temperature, 0.1);
    assert.equal(config.maxTokens, 4000);
    assert.equal(config.topP, 0.5);
    assert.equal(config.topK, 40);
    assert.deepEqual(config.reasoning, { effort: 'high' });
    assert.equal(config.priceInputPerMTok, 2.5);
    assert.equal(config.priceOutputPerMTok, 10);
    assert.equal(config.enabled, false);
  });

  const accepted: [string, Record<string, unknown>][] = [
    ['temperature 0', { temperature: 0 }],
    ['temperature 2', { temperature: 2 }],
    ['topP 0', { topP: 0 }],
    ['topP 1', { topP: 1 }],
    ['topK 0', { topK: 0 }],
    ['maxTokens 1', { maxTokens: 1 }],
    ['budgetTokens 1', { modelId: 'o3', maxTokens: 2, reasoning: { budgetTokens: 1 } }],
    [
      'budget one below maxTokens',
      { modelId: 'o3', maxTokens: 2048, reasoning: { budgetTokens: 2047 } },
    ],
    ['effort minimal', { modelId: 'o3', reasoning: { effort: 'minimal' } }],
    ['reasoning null', { reasoning: null }],
    ['prices 0', { priceInputPerMTok: 0, priceOutputPerMTok: 0 }],
    ['prices null', { priceInputPerMTok: null, priceOutputPerMTok: null }],
    ['maxTokens equal to context', { maxTokens: 128_000 }],
    ['displayName of 191 characters', { displayName: 'd'.repeat(191) }],
  ];
  for (const [name, fields] of accepted) {
    test(`create accepts ${name}`, async () => {
      const response = await create(alice, {
        providerId: syncedProviderId,
        modelId: 'gpt-4o',
        displayName: `accepts ${name}`,
        ...fields,
      });

      assert.equal(response.status, 201, JSON.stringify(response.body));
    });
  }

  const rejected: [string, Record<string, unknown>, RegExp][] = [
    ['temperature below 0', { temperature: -0.01 }, /body\.temperature: must be between 0 and 2/],
    ['temperature above 2', { temperature: 2.01 }, /body\.temperature: must be between 0 and 2/],
    ['temperature as text', { temperature: '0.5' }, /body\.temperature: must be a number/],
    ['topP below 0', { topP: -0.01 }, /body\.topP: must be between 0 and 1/],
    ['topP above 1', { topP: 1.01 }, /body\.topP: must be between 0 and 1/],
    ['topK below 0', { topK: -1 }, /body\.topK: must be 0 or more/],
    ['fractional topK', { topK: 1.5 }, /body\.topK: must be a whole number/],
    ['maxTokens 0', { maxTokens: 0 }, /body\.maxTokens: must be at least 1/],
    ['fractional maxTokens', { maxTokens: 1.5 }, /body\.maxTokens: must be a whole number/],
    [
      'maxTokens above context',
      { maxTokens: 128_001 },
      /body\.maxTokens: 128001 exceeds the 128000-token context length of model gpt-4o; set maxTokens to 128000 or less/,
    ],
    [
      'budgetTokens 0',
      { reasoning: { budgetTokens: 0 } },
      /body\.reasoning\.budgetTokens: must be at least 1/,
    ],
    [
      'budget equal to maxTokens',
      { modelId: 'o3', maxTokens: 2048, reasoning: { budgetTokens: 2048 } },
      /body\.reasoning\.budgetTokens: 2048 must be less than maxTokens \(2048\)/,
    ],
    [
      'unknown effort',
      { reasoning: { effort: 'extreme' } },
      /body\.reasoning\.effort: must be one of "minimal", "low", "medium", "high"/,
    ],
    [
      'effort and budget together',
      { reasoning: { effort: 'low', budgetTokens: 1024 } },
      /body\.reasoning: must set exactly one of effort/,
    ],
    ['empty reasoning', { reasoning: {} }, /body\.reasoning: must set exactly one of effort/],
    [
      'negative input price',
      { priceInputPerMTok: -0.01 },
      /body\.priceInputPerMTok: must be 0 or more dollars per million tokens/,
    ],
    [
      'negative output price',
      { priceOutputPerMTok: -1 },
      /body\.priceOutputPerMTok: must be 0 or more dollars per million tokens/,
    ],
    [
      'displayName of 192 characters',
      { displayName: 'd'.repeat(192) },
      /body\.displayName: must be at most 191 characters/,
    ],
    ['blank displayName', { displayName: '  ' }, /body\.displayName: must not be empty/],
    [
      'displayName with a line break',
      { displayName: 'two\nlines' },
      /body\.displayName: must be one line/,
    ],
    ['snake_case field', { max_tokens: 100 }, /body: has unknown field max_tokens/],
  ];
  for (const [name, fields, message] of rejected) {
    test(`create rejects ${name}`, async () => {
      const response = await create(alice, {
        providerId: syncedProviderId,
        modelId: 'gpt-4o',
        displayName: `rejects ${name}`,
        ...fields,
      });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, message);
    });
  }

  test('create rejects an embedding model', async () => {
    const response = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'text-embedding-3-small',
    });

    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /^Invalid body\.modelId: text-embedding-3-small is an embedding model, which cannot reply in a chat; choose a chat model/,
    );
  });

  test('create rejects reasoning for a chat model', async () => {
    const response = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'gpt-4o',
      displayName: 'Thinking 4o',
      reasoning: { effort: 'high' },
    });

    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /^Invalid body\.reasoning: is set, but model gpt-4o does not reason \(its type is chat\); send reasoning null, or choose a reasoning model/,
    );
  });

  test('update rejects a move to a chat model with reasoning', async () => {
    const created = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'o3',
      displayName: 'Moves to 4o',
      reasoning: { effort: 'low' },
    });

    const moved = await update(alice, created.body.modelConfig.id, { modelId: 'gpt-4o' });
    const cleared = await update(alice, created.body.modelConfig.id, {
      modelId: 'gpt-4o',
      reasoning: null,
    });

    assert.equal(created.status, 201);
    assert.equal(moved.status, 400);
    assert.match(moved.body.error.message, /body\.reasoning: is set, but model gpt-4o/);
    assert.equal(cleared.status, 200);
  });

  test('default maxTokens above the context says so', async () => {
    const response = await create(alice, { providerId: syncedProviderId, modelId: 'tiny' });

    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /^Invalid body\.maxTokens: the default of 8192, used because maxTokens was not set, exceeds the 2048-token context length of model tiny; set maxTokens to 2048 or less/,
    );
  });

  test('PUT still changes a config', async () => {
    const created = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'gpt-4o',
      displayName: 'Changed by PUT',
    });

    const response = await server.request<ConfigBody>(
      'PUT',
      `/api/model-configs/${created.body.modelConfig.id}`,
      { token: alice.accessToken, body: { temperature: 0.3 } },
    );

    assert.equal(response.status, 200);
    assert.equal(response.body.modelConfig.temperature, 0.3);
  });

  test('path id errors name the value', async () => {
    const response = await server.request<ApiErrorBody>('GET', '/api/model-configs/x1', {
      token: alice.accessToken,
    });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /^Invalid path\.id: "x1" is not a model config id/);
  });

  test('create rejects a model missing from the synced list', async () => {
    const response = await create(alice, { providerId: syncedProviderId, modelId: 'gpt-5' });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /^Invalid body\.modelId: model "gpt-5" is not/);
    assert.match(response.body.error.message, /sync-models/);
  });

  test('create suggests the id that differs in case', async () => {
    const response = await create(alice, { providerId: syncedProviderId, modelId: 'GPT-4o' });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /Did you mean "gpt-4o"\?/);
  });

  test('create takes any model id before a sync', async () => {
    const response = await create(alice, {
      providerId: unsyncedProviderId,
      modelId: 'typed-by-hand',
      maxTokens: 1_000_000,
    });

    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.modelConfig.modelId, 'typed-by-hand');
  });

  test('duplicate names the existing config', async () => {
    const first = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'gpt-4o-mini',
      displayName: 'Mini',
    });
    const second = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'gpt-4o-mini',
      displayName: 'Mini',
      temperature: 1,
    });
    const renamed = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'gpt-4o-mini',
      displayName: 'Mini, creative',
      temperature: 1,
    });

    assert.equal(first.status, 201);
    assert.equal(second.status, 409);
    assert.equal(second.body.error.code, 'model_config_exists');
    assert.equal(
      second.body.error.message,
      `Model config "Mini" (id ${first.body.modelConfig.id}) already uses model gpt-4o-mini on ` +
        'provider Synced; give this one another displayName.',
    );
    assert.equal(renamed.status, 201);
  });

  test('update to a duplicate is rejected', async () => {
    const first = await create(alice, {
      providerId: unsyncedProviderId,
      modelId: 'model-a',
      displayName: 'Taken',
    });
    const second = await create(alice, {
      providerId: unsyncedProviderId,
      modelId: 'model-a',
      displayName: 'Free',
    });

    const response = await update(alice, second.body.modelConfig.id, { displayName: 'Taken' });

    assert.equal(response.status, 409);
    assert.match(response.body.error.message, new RegExp(`id ${first.body.modelConfig.id}`));
  });

  test('create needs a provider the user can see', async () => {
    const bobsProvider = await createProvider(bob, { kind: 'openai', name: 'Bob private' });

    const response = await create(alice, { providerId: bobsProvider, modelId: 'gpt-4o' });

    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      new RegExp(`^Invalid body\\.providerId: provider ${bobsProvider} was not found`),
    );
  });

  test('create needs an enabled provider', async () => {
    const providerId = await createProvider(alice, {
      kind: 'openai',
      name: 'Switched off',
      enabled: false,
    });

    const response = await create(alice, { providerId, modelId: 'gpt-4o' });

    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /^Invalid body\.providerId: provider Switched off \(id \d+\) is disabled; enable it/,
    );
  });

  test('update changes only the fields given', async () => {
    const created = await create(alice, {
      providerId: syncedProviderId,
      modelId: 'gpt-4o-mini',
      displayName: 'Partial update',
      temperature: 0.3,
      priceInputPerMTok: 1,
    });
    const id = created.body.modelConfig.id;

    const response = await update(alice, id, { topK: 5, priceInputPerMTok: null });

    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.modelConfig.topK, 5);
    assert.equal(response.body.modelConfig.priceInputPerMTok, null);
    assert.equal(response.body.modelConfig.temperature, 0.3);
    assert.equal(response.body.modelConfig.displayName, 'Partial update');
  });

  test('update of the model id moves a default display name', async () => {
    const created = await create(alice, { providerId: unsyncedProviderId, modelId: 'old-model' });

    const response = await update(alice, created.body.modelConfig.id, { modelId: 'new-model' });

    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.modelConfig.modelId, 'new-model');
    assert.equal(response.body.modelConfig.displayName, 'new-model');
  });

  test('update checks the model against the new provider', async () => {
    const created = await create(alice, { providerId: unsyncedProviderId, modelId: 'local-only' });

    const response = await update(alice, created.body.modelConfig.id, {
      providerId: syncedProviderId,
    });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /body\.modelId: model "local-only" is not among/);
  });

  test('update checks the budget against the stored maxTokens', async () => {
    const created = await create(alice, {
      providerId: unsyncedProviderId,
      modelId: 'thinker',
      maxTokens: 4096,
    });
    const id = created.body.modelConfig.id;

    const tooLarge = await update(alice, id, { reasoning: { budgetTokens: 4096 } });
    const fits = await update(alice, id, { reasoning: { budgetTokens: 4095 } });
    const shrink = await update(alice, id, { maxTokens: 4000 });

    assert.equal(tooLarge.status, 400);
    assert.match(tooLarge.body.error.message, /body\.reasoning\.budgetTokens: 4096 must be less/);
    assert.equal(fits.status, 200);
    assert.equal(shrink.status, 400);
    assert.match(shrink.body.error.message, /maxTokens \(4000\)/);
  });

  test('update rejects an out-of-range field', async () => {
    const created = await create(alice, { providerId: unsyncedProviderId, modelId: 'ranged' });

    const response = await update(alice, created.body.modelConfig.id, { temperature: 2.5 });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /body\.temperature: must be between 0 and 2/);
  });

  test('other users get 404 for a private config', async () => {
    const created = await create(alice, { providerId: unsyncedProviderId, modelId: 'private' });
    const id = created.body.modelConfig.id;

    const read = await server.request('GET', `/api/model-configs/${id}`, {
      token: bob.accessToken,
    });
    const changed = await update(bob, id, { temperature: 1 });
    const deleted = await server.request('DELETE', `/api/model-configs/${id}`, {
      token: bob.accessToken,
    });
    const bobsList = await list(bob);

    assert.equal(read.status, 404);
    assert.equal(changed.status, 404);
    assert.equal(deleted.status, 404);
    assert.equal(
      bobsList.body.modelConfigs.some((config) => config.id === id),
      false,
    );
  });

  test('shared provider offers its owner configs to all', async () => {
    const sharedId = await createProvider(admin, {
      kind: 'anthropic',
      name: 'Team Claude',
      shared: true,
    });
    const teamConfig = await create(admin, { providerId: sharedId, modelId: 'claude-team' });
    const alicesOwn = await create(alice, { providerId: sharedId, modelId: 'claude-alice' });

    const bobsList = await list(bob, `?providerId=${sharedId}`);
    const bobChangesTeam = await update(bob, teamConfig.body.modelConfig.id, { temperature: 1 });
    const bobReadsAlice = await server.request(
      'GET',
      `/api/model-configs/${alicesOwn.body.modelConfig.id}`,
      { token: bob.accessToken },
    );

    assert.equal(teamConfig.status, 201);
    assert.equal(alicesOwn.status, 201);
    assert.deepEqual(
      bobsList.body.modelConfigs.map((config) => config.modelId),
      ['claude-team'],
    );
    assert.equal(bobChangesTeam.status, 403);
    assert.match(
      (bobChangesTeam.body as ApiErrorBody).error.message,
      /only its owner or an admin can change it/,
    );
    assert.equal(bobReadsAlice.status, 404);
  });

  test('admin sees every config', async () => {
    const created = await create(bob, { providerId: await bobProvider(), modelId: 'bob-model' });

    const adminList = await list(admin);
    const adminChanges = await update(admin, created.body.modelConfig.id, { topP: 0.5 });

    assert.equal(
      adminList.body.modelConfigs.some((config) => config.id === created.body.modelConfig.id),
      true,
    );
    assert.equal(adminChanges.status, 200);
  });

  async function bobProvider(): Promise<number> {
    return createProvider(bob, { kind: 'ollama', name: `Bob ${Date.now()}` });
  }

  test('list filters by provider and enabled', async () => {
    const providerId = await createProvider(alice, { kind: 'openai', name: 'Filtered' });
    await create(alice, { providerId, modelId: 'on-model' });
    await create(alice, { providerId, modelId: 'off-model', enabled: false });

    const all = await list(alice, `?providerId=${providerId}`);
    const enabled = await list(alice, `?providerId=${providerId}&enabled=true`);
    const disabled = await list(alice, `?providerId=${providerId}&enabled=false`);
    const badFilter = await server.request<ApiErrorBody>('GET', '/api/model-configs?enabled=yes', {
      token: alice.accessToken,
    });

    assert.deepEqual(
      all.body.modelConfigs.map((config) => config.modelId),
      ['off-model', 'on-model'],
    );
    assert.equal(all.body.total, 2);
    assert.deepEqual(
      enabled.body.modelConfigs.map((config) => config.modelId),
      ['on-model'],
    );
    assert.deepEqual(
      disabled.body.modelConfigs.map((config) => config.modelId),
      ['off-model'],
    );
    assert.equal(badFilter.status, 400);
    assert.match(badFilter.body.error.message, /query\.enabled/);
  });

  test('delete removes the config and is audited', async () => {
    const created = await create(alice, { providerId: unsyncedProviderId, modelId: 'short-lived' });
    const id = created.body.modelConfig.id;

    const deleted = await server.request('DELETE', `/api/model-configs/${id}`, {
      token: alice.accessToken,
    });
    const afterDelete = await server.request('GET', `/api/model-configs/${id}`, {
      token: alice.accessToken,
    });
    const entries = await AuditLog.findAll({
      where: { targetType: 'model_config', targetId: String(id) },
      order: [['id', 'ASC']],
    });

    assert.equal(deleted.status, 204);
    assert.equal(afterDelete.status, 404);
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['model_config.create', 'model_config.delete'],
    );
    assert.equal(entries[0]?.actorId, alice.userId);
  });

  test('deleting the provider deletes its configs', async () => {
    const providerId = await createProvider(alice, { kind: 'openai', name: 'Going away' });
    const created = await create(alice, { providerId, modelId: 'orphan' });

    await server.request('DELETE', `/api/providers/${providerId}`, { token: alice.accessToken });
    const response = await server.request(
      'GET',
      `/api/model-configs/${created.body.modelConfig.id}`,
      { token: alice.accessToken },
    );

    assert.equal(response.status, 404);
  });

  test('openapi documents the routes', async () => {
    const response = await server.request<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/openapi.json',
    );

    assert.deepEqual(Object.keys(response.body.paths['/api/model-configs'] ?? {}).sort(), [
      'get',
      'post',
    ]);
    assert.deepEqual(Object.keys(response.body.paths['/api/model-configs/{id}'] ?? {}).sort(), [
      'delete',
      'get',
      'patch',
      'put',
    ]);
    assert.ok(response.body.paths['/api/providers/{id}/sync-models']?.post);
    assert.ok(response.body.paths['/api/providers/{id}/test']?.post);
  });

  test('model configs need a signed-in user', async () => {
    const response = await server.request('GET', '/api/model-configs');

    assert.equal(response.status, 401);
  });
});
