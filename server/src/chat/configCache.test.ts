import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runTransaction } from '../db/transactions.js';
import { ModelConfig, Provider, ProviderModel } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { ConfigCache } from './configCache.js';
import { createModelConfig, createProvider } from './testKit.js';

describe(`config cache (${testDialect})`, () => {
  let server: TestServer;
  let providerId: number;
  let configId: number;

  before(async () => {
    server = await TestServer.start();
    const owner = await server.signUp('config-cache');
    // Nothing listens here: the provider is only stored, never called.
    providerId = await createProvider(server, owner, {
      kind: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
    });
    configId = await createModelConfig(server, owner, { providerId, modelId: 'cached-model' });
  });

  after(async () => {
    await server.close();
  });

  test('serves a repeat lookup from memory', async () => {
    const cache = new ConfigCache(60_000);

    const first = cache.get(configId);
    const second = cache.get(configId);

    assert.equal(second, first);
    assert.equal((await first)?.config.modelId, 'cached-model');
    assert.equal((await first)?.provider?.id, providerId);
    cache.dispose();
  });

  test('missing config is null', async () => {
    const cache = new ConfigCache(60_000);

    assert.equal(await cache.get(999_999), null);
    cache.dispose();
  });

  test('reloads after a config, provider or model change', async () => {
    const cache = new ConfigCache(60_000);
    const before = await cache.get(configId);

    await ModelConfig.update({ enabled: false }, { where: { id: configId } });
    const afterConfig = await cache.get(configId);
    const provider = await Provider.findByPk(providerId);
    assert.ok(provider !== null);
    await provider.update({ enabled: false });
    const afterProvider = await cache.get(configId);
    await ProviderModel.create({
      providerId,
      modelId: 'cached-model',
      displayName: 'Cached model',
      type: 'chat',
      capabilities: [],
      contextLength: 8192,
    });
    const afterModel = await cache.get(configId);
    await ModelConfig.update({ enabled: true }, { where: { id: configId } });
    await provider.update({ enabled: true });
    await ProviderModel.destroy({ where: { providerId } });

    assert.equal(before?.config.enabled, true);
    assert.equal(afterConfig?.config.enabled, false);
    assert.equal(afterProvider?.provider?.enabled, false);
    assert.equal(afterModel?.contextLength, 8192);
    assert.equal((await cache.get(configId))?.contextLength, null);
    cache.dispose();
  });

  test('context length needs the exact model id', async () => {
    const cache = new ConfigCache(60_000);
    await ProviderModel.create({
      providerId,
      modelId: 'Cached-Model',
      displayName: 'Other case',
      type: 'chat',
      capabilities: [],
      contextLength: 4096,
    });

    const loaded = await cache.get(configId);
    await ProviderModel.destroy({ where: { providerId } });

    assert.equal(loaded?.contextLength, null);
    cache.dispose();
  });

  test('reloads once a change in a transaction commits', async () => {
    const cache = new ConfigCache(60_000);
    let readInside: boolean | undefined;

    await runTransaction(server.running.services.sequelize, async (transaction) => {
      await ModelConfig.update({ enabled: false }, { where: { id: configId }, transaction });
      // Read outside the transaction, so it returns the row as last committed.
      readInside = (await cache.get(configId))?.config.enabled;
    });
    const afterCommit = await cache.get(configId);
    await ModelConfig.update({ enabled: true }, { where: { id: configId } });

    assert.equal(readInside, true);
    assert.equal(afterCommit?.config.enabled, false);
    cache.dispose();
  });

  test('reloads after the TTL', async () => {
    const cache = new ConfigCache(1);
    const first = cache.get(configId);
    await first;
    await new Promise((resolve) => setTimeout(resolve, 5));

    assert.notEqual(cache.get(configId), first);
    cache.dispose();
  });
});
