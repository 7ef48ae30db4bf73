import type { Transaction } from 'sequelize';
import type { SyncModelsResult } from '../../../shared/src/api/modelConfigs.js';
import type { AppServices } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { conflict, forbidden, HttpError } from '../errors.js';
import { ModelConfig, Provider, ProviderModel, type User } from '../models/index.js';
import { isSharedConfig } from '../policies/modelConfigs.js';
import { presentProviderModel } from '../presenters/provider.js';
import { ProviderError, type ListedModel } from './clients/index.js';
import { listProviderModels, type ListingResult } from './modelListing.js';
import { recordProviderCheck, StoredSecretError } from './providerStore.js';

/** The most skipped models a sync result lists; `skippedCount` counts them all. */
const MAX_REPORTED_SKIPS = 100;

/**
 * Throws 403 unless the user may replace the provider's model list: its owner or an admin, and
 * only an admin for a shared provider, whose list every user's configs depend on.
 */
export function assertCanSync(user: User, provider: Provider): void {
  if (user.role === 'admin') {
    return;
  }
  if (provider.shared) {
    throw forbidden(
      `Provider ${provider.id} is shared with all users; only an admin can sync its models.`,
    );
  }
  if (provider.ownerId !== user.id) {
    throw forbidden(`Only the owner of provider ${provider.id} or an admin can sync its models.`);
  }
}

/**
 * Lists the provider's models and replaces its stored list with them in one transaction. Model
 * configs whose model is gone are kept and flagged `modelMissing`, and a sync that lists the model
 * again clears the flag. Configs whose maxTokens now exceeds the model's context length are
 * flagged `exceedsContextLength`. A failed provider call leaves the list as it was, records the
 * error on the provider and throws a 502 carrying the ProviderError's code. When the provider's
 * base URL, key or headers changed while it listed, nothing is stored and a 409 is thrown; when
 * it was deleted meanwhile, a 404.
 */
export async function syncProviderModels(
  services: AppServices,
  user: User,
  provider: Provider,
): Promise<SyncModelsResult> {
  const version = provider.connectionVersion;
  let listing: ListingResult;
  try {
    listing = await listProviderModels(services, provider);
  } catch (error) {
    if (error instanceof StoredSecretError) {
      await recordProviderCheck(provider, { ok: false, message: error.message }, version);
      throw error;
    }
    if (!(error instanceof ProviderError)) {
      throw error;
    }
    await recordProviderCheck(provider, { ok: false, message: error.message }, version);
    throw providerCallFailed(error);
  }

  try {
    return await runTransaction(services.sequelize, (transaction) =>
      storeListing({ user, provider, version, listing }, transaction),
    );
  } catch (error) {
    if (!(error instanceof HttpError)) {
      services.logger.error(
        { err: error, providerId: provider.id },
        'storing synced models failed',
      );
      await recordProviderCheck(
        provider,
        { ok: false, message: 'The models were listed but could not be stored; sync again.' },
        version,
      );
    }
    throw error;
  }
}

/** Builds the 502 for a failed provider call, with the provider's own text in `details`. */
export function providerCallFailed(error: ProviderError): HttpError {
  return new HttpError(502, error.code, error.message, {
    details: { providerMessage: error.details.providerMessage, status: error.details.status },
  });
}

/** A listing to store for a provider, with the connection version it was made with. */
interface ListingToStore {
  user: User;
  provider: Provider;
  version: number;
  listing: ListingResult;
}

async function storeListing(
  { user, provider, version, listing }: ListingToStore,
  transaction: Transaction,
): Promise<SyncModelsResult> {
  await assertUnchanged(provider, version, transaction);
  const { added, removed } = await replaceModels(provider, listing.models, transaction);
  const flagged = await flagConfigs(provider, listing.models, transaction);
  await recordProviderCheck(provider, { ok: true }, version, transaction);
  const stored = await ProviderModel.findAll({
    where: { providerId: provider.id },
    order: [['modelId', 'ASC']],
    transaction,
  });
  const visible = (config: ModelConfig) => canSeeConfig(user, config, provider);
  return {
    models: stored.map(presentProviderModel),
    added,
    removed,
    orphanedConfigs: flagged.missing.filter(visible).map((config) => ({
      id: config.id,
      displayName: config.displayName,
      modelId: config.modelId,
    })),
    configsOverLimit: flagged.overLimit
      .filter(({ config }) => visible(config))
      .map(({ config, contextLength }) => ({
        id: config.id,
        displayName: config.displayName,
        modelId: config.modelId,
        maxTokens: config.maxTokens,
        contextLength,
      })),
    skippedCount: listing.skipped.length,
    skipped: listing.skipped.slice(0, MAX_REPORTED_SKIPS),
  };
}

/**
 * Locks the provider row and throws unless it still exists with the connection version the
 * listing started from. A PATCH that commits later waits for this transaction.
 */
async function assertUnchanged(
  provider: Provider,
  version: number,
  transaction: Transaction,
): Promise<void> {
  const current = await Provider.findByPk(provider.id, {
    transaction,
    lock: transaction.LOCK.UPDATE,
  });
  if (current === null) {
    throw new HttpError(
      404,
      'not_found',
      `Provider ${provider.id} was deleted during the sync, so its models were not stored.`,
    );
  }
  if (current.connectionVersion !== version) {
    throw conflict(
      'provider_changed',
      `The base URL, key or headers of provider ${provider.name} changed during the sync, so the models listed with the old ones were not stored; sync again.`,
    );
  }
}

async function replaceModels(
  provider: Provider,
  models: ListedModel[],
  transaction: Transaction,
): Promise<{ added: number; removed: number }> {
  const existing = await ProviderModel.findAll({ where: { providerId: provider.id }, transaction });
  const listedIds = new Set(models.map((model) => model.modelId));
  const kept = new Map<string, ProviderModel>();
  const gone: number[] = [];
  for (const row of existing) {
    if (listedIds.has(row.modelId) && !kept.has(row.modelId)) {
      kept.set(row.modelId, row);
    } else {
      gone.push(row.id);
    }
  }
  if (gone.length > 0) {
    await ProviderModel.destroy({ where: { id: gone }, transaction });
  }

  let added = 0;
  for (const model of models) {
    const row = kept.get(model.modelId);
    if (row === undefined) {
      await ProviderModel.create({ providerId: provider.id, ...model }, { transaction });
      added += 1;
      continue;
    }
    row.set({
      displayName: model.displayName,
      type: model.type,
      capabilities: model.capabilities,
      contextLength: model.contextLength,
    });
    if (row.changed() !== false) {
      await row.save({ transaction });
    }
  }
  return { added, removed: gone.length };
}

/** A config whose maxTokens is above its model's context length. */
interface OverLimitConfig {
  config: ModelConfig;
  contextLength: number;
}

/**
 * Sets `modelMissing` and `exceedsContextLength` on every config of the provider, and returns the
 * configs now missing their model and those over their model's context length.
 */
async function flagConfigs(
  provider: Provider,
  models: ListedModel[],
  transaction: Transaction,
): Promise<{ missing: ModelConfig[]; overLimit: OverLimitConfig[] }> {
  const listed = new Map(models.map((model) => [model.modelId, model]));
  const configs = await ModelConfig.findAll({
    where: { providerId: provider.id },
    order: [['id', 'ASC']],
    transaction,
  });
  const missing: ModelConfig[] = [];
  const overLimit: OverLimitConfig[] = [];
  for (const config of configs) {
    const model = listed.get(config.modelId);
    const contextLength = model?.contextLength ?? null;
    const exceeds = contextLength !== null && config.maxTokens > contextLength;
    config.set({ modelMissing: model === undefined, exceedsContextLength: exceeds });
    if (config.changed() !== false) {
      await config.save({ transaction });
    }
    if (model === undefined) {
      missing.push(config);
    }
    if (exceeds) {
      overLimit.push({ config, contextLength });
    }
  }
  return { missing, overLimit };
}

function canSeeConfig(user: User, config: ModelConfig, provider: Provider): boolean {
  return user.role === 'admin' || config.ownerId === user.id || isSharedConfig(config, provider);
}
