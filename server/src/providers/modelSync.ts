import type { Logger } from 'pino';
import type { Transaction } from 'sequelize';
import type { SyncModelsResult } from '../../../shared/src/api/modelConfigs.js';
import type { AppServices } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { forbidden, HttpError } from '../errors.js';
import { ModelConfig, ProviderModel, type Provider, type User } from '../models/index.js';
import { isSharedConfig } from '../policies/modelConfigs.js';
import { presentProviderModel } from '../presenters/provider.js';
import { createProviderClient, ProviderError, type ListedModel } from './clients/index.js';
import { providerConnection } from './connection.js';
import { recordProviderCheck } from './providerStore.js';

/** The length of the model_id and display_name columns of provider_models. */
const MAX_MODEL_TEXT_LENGTH = 191;

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
 * again clears the flag. A failed provider call leaves the list as it was, records the error
 * on the provider and throws a 502 carrying the ProviderError's code.
 */
export async function syncProviderModels(
  services: AppServices,
  user: User,
  provider: Provider,
): Promise<SyncModelsResult> {
  const client = createProviderClient(providerConnection(services, provider));
  let listed: ListedModel[];
  try {
    listed = await client.listModels();
  } catch (error) {
    if (!(error instanceof ProviderError)) {
      throw error;
    }
    await recordProviderCheck(provider, { ok: false, message: error.message });
    throw providerCallFailed(error);
  }
  const models = storableModels(listed, services.logger, provider);

  return runTransaction(services.sequelize, async (transaction) => {
    const { added, removed } = await replaceModels(provider, models, transaction);
    const missing = await flagMissingModels(provider, models, transaction);
    await recordProviderCheck(provider, { ok: true }, transaction);
    const stored = await ProviderModel.findAll({
      where: { providerId: provider.id },
      order: [['modelId', 'ASC']],
      transaction,
    });
    return {
      models: stored.map(presentProviderModel),
      added,
      removed,
      orphanedConfigs: missing
        .filter((config) => canSeeConfig(user, config, provider))
        .map((config) => ({
          id: config.id,
          displayName: config.displayName,
          modelId: config.modelId,
        })),
    };
  });
}

/** Builds the 502 for a failed provider call, with the provider's own text in `details`. */
export function providerCallFailed(error: ProviderError): HttpError {
  return new HttpError(502, error.code, error.message, {
    details: { providerMessage: error.details.providerMessage, status: error.details.status },
  });
}

/**
 * Drops what the table cannot hold: a model id longer than its column, and a second model whose
 * id differs from an earlier one only in case, which MySQL's case-insensitive unique index on
 * (provider, model id) would reject. A display name too long for its column is cut.
 */
function storableModels(listed: ListedModel[], logger: Logger, provider: Provider): ListedModel[] {
  const seen = new Set<string>();
  const models: ListedModel[] = [];
  for (const model of listed) {
    const key = model.modelId.toLowerCase();
    if (model.modelId.length > MAX_MODEL_TEXT_LENGTH || seen.has(key)) {
      logger.warn(
        { providerId: provider.id, modelId: model.modelId.slice(0, 300) },
        'skipped a listed model: its id is too long or repeats an earlier one',
      );
      continue;
    }
    seen.add(key);
    models.push({
      ...model,
      displayName: Array.from(model.displayName).slice(0, MAX_MODEL_TEXT_LENGTH).join(''),
    });
  }
  return models;
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
    if (listedIds.has(row.modelId)) {
      kept.set(row.modelId, row);
    } else {
      gone.push(row.id);
    }
  }
  // Rows go before new ones come, so a model renamed only in case does not hit the unique index.
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

/** Sets `modelMissing` on every config of the provider and returns the configs now missing. */
async function flagMissingModels(
  provider: Provider,
  models: ListedModel[],
  transaction: Transaction,
): Promise<ModelConfig[]> {
  const listedIds = new Set(models.map((model) => model.modelId));
  const configs = await ModelConfig.findAll({
    where: { providerId: provider.id },
    order: [['id', 'ASC']],
    transaction,
  });
  const missing: ModelConfig[] = [];
  for (const config of configs) {
    const isMissing = !listedIds.has(config.modelId);
    if (config.modelMissing !== isMissing) {
      config.modelMissing = isMissing;
      await config.save({ transaction });
    }
    if (isMissing) {
      missing.push(config);
    }
  }
  return missing;
}

function canSeeConfig(user: User, config: ModelConfig, provider: Provider): boolean {
  return user.role === 'admin' || config.ownerId === user.id || isSharedConfig(config, provider);
}
