import type { ModelStatic, Transaction } from 'sequelize';
import { LoadCache } from '../db/loadCache.js';
import { ModelConfig, Provider, ProviderModel } from '../models/index.js';

/**
 * Maximum age of a cached config, in milliseconds. Changes made through this process clear the
 * cache at once. A change made by another server instance on the same database takes up to this
 * long, as for cached users.
 */
export const CONFIG_CACHE_TTL_MS = 2000;

/** A model config with its provider and the context length its provider lists for its model. */
export interface CachedConfig {
  config: ModelConfig;
  provider: Provider | null;
  /** The listed context length, or null when the provider's model list gives none. */
  contextLength: number | null;
}

const caches = new Set<ConfigCache>();
let hooksInstalled = false;

/**
 * Caches what answering a chat message reads about its model config, so a message does not query
 * the config, its provider and the provider's model list each time. Any change through Sequelize
 * in this process to a config, a provider or a listed model empties every cache, again once its
 * transaction commits, so a disabled, unshared or deleted config is rejected on the next message.
 * Concurrent misses for one config share one load. The entries are shared between requests, so
 * callers must not change them.
 */
export class ConfigCache {
  private readonly loads: LoadCache<number, CachedConfig | null>;

  constructor(ttlMs = CONFIG_CACHE_TTL_MS) {
    this.loads = new LoadCache(ttlMs, loadConfig);
    installHooks();
    caches.add(this);
  }

  get(modelConfigId: number): Promise<CachedConfig | null> {
    return this.loads.get(modelConfigId);
  }

  clear(): void {
    this.loads.forget();
  }

  /** Stops receiving invalidations; called when the server closes. */
  dispose(): void {
    this.loads.forget();
    caches.delete(this);
  }
}

async function loadConfig(modelConfigId: number): Promise<CachedConfig | null> {
  const config = await ModelConfig.findByPk(modelConfigId, {
    include: [{ model: Provider, as: 'provider' }],
  });
  if (config === null) {
    return null;
  }
  const provider = config.provider ?? null;
  // MySQL compares model ids without regard to case, so the exact match is picked here.
  const listed =
    provider === null
      ? []
      : await ProviderModel.findAll({
          attributes: ['modelId', 'contextLength'],
          where: { providerId: provider.id, modelId: config.modelId },
        });
  const contextLength =
    listed.find((model) => model.modelId === config.modelId)?.contextLength ?? null;
  return { config, provider, contextLength };
}

function clearEverywhere(options?: { transaction?: Transaction | null }): void {
  for (const cache of caches) {
    cache.clear();
  }
  // A load between the change and its commit reads the old rows, so clear again after it.
  options?.transaction?.afterCommit(() => {
    for (const cache of caches) {
      cache.clear();
    }
  });
}

/** Installs the model hooks once, because every server in the process shares the models. */
function installHooks(): void {
  if (hooksInstalled) {
    return;
  }
  hooksInstalled = true;
  const models: ModelStatic<ModelConfig | Provider | ProviderModel>[] = [
    ModelConfig,
    Provider,
    ProviderModel,
  ];
  for (const model of models) {
    const onChange = (_first: unknown, options?: { transaction?: Transaction | null }) => {
      clearEverywhere(options);
    };
    const onBulkChange = (options?: { transaction?: Transaction | null }) => {
      clearEverywhere(options);
    };
    model.addHook('afterSave', 'configCache', onChange);
    model.addHook('afterDestroy', 'configCache', onChange);
    model.addHook('afterUpsert', 'configCache', onChange);
    model.addHook('afterBulkCreate', 'configCache', onChange);
    model.addHook('afterBulkUpdate', 'configCache', onBulkChange);
    model.addHook('afterBulkDestroy', 'configCache', onBulkChange);
  }
}
