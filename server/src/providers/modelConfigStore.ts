import { UniqueConstraintError } from 'sequelize';
import {
  MODEL_CONFIG_DEFAULTS,
  type ApiReasoningSetting,
} from '../../../shared/src/api/modelConfigs.js';
import { conflict, invalidFields, type HttpError } from '../errors.js';
import { ModelConfig, Provider, ProviderModel, type User } from '../models/index.js';
import { normalizeCapabilities } from './listedModels.js';

/** The fields of a model config a user sets, where `null` clears a nullable field. */
export interface ModelConfigInput {
  providerId?: number;
  modelId?: string;
  displayName?: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  topK?: number;
  reasoning?: ApiReasoningSetting | null;
  priceInputPerMTok?: number | null;
  priceOutputPerMTok?: number | null;
  enabled?: boolean;
}

/** A saved config with its provider, which the presenter needs. */
export interface SavedModelConfig {
  config: ModelConfig;
  provider: Provider;
}

/**
 * Creates a model config owned by the user on a provider the user can read and that is enabled.
 * Unset fields take MODEL_CONFIG_DEFAULTS, and the display name defaults to the model id.
 */
export async function createModelConfig(
  user: User,
  input: ModelConfigInput & { providerId: number; modelId: string },
): Promise<SavedModelConfig> {
  const provider = await usableProvider(user, input.providerId);
  const listed = await findListedModel(provider, input.modelId);

  assertChatModel(listed);
  const config = ModelConfig.build({
    ownerId: user.id,
    providerId: provider.id,
    modelId: input.modelId,
    displayName: input.displayName ?? input.modelId,
    temperature: input.temperature ?? MODEL_CONFIG_DEFAULTS.temperature,
    maxTokens: input.maxTokens ?? MODEL_CONFIG_DEFAULTS.maxTokens,
    topP: input.topP ?? MODEL_CONFIG_DEFAULTS.topP,
    topK: input.topK ?? MODEL_CONFIG_DEFAULTS.topK,
    reasoning: input.reasoning ?? null,
    priceInputPerMTok: input.priceInputPerMTok ?? null,
    priceOutputPerMTok: input.priceOutputPerMTok ?? null,
    enabled: input.enabled ?? true,
    modelMissing: false,
  });
  assertWithinContext(config, listed, input.maxTokens === undefined);
  assertReasoningFits(config, listed);
  assertBudgetBelowMaxTokens(config);
  await saveUnique(config, provider);
  return { config, provider };
}

/**
 * Changes the fields given. A new provider or model id is checked as on create, and it clears
 * the `modelMissing` flag. The limits are checked again when a field they depend on changes.
 */
export async function updateModelConfig(
  user: User,
  config: ModelConfig,
  currentProvider: Provider,
  input: ModelConfigInput,
): Promise<SavedModelConfig> {
  const provider =
    input.providerId === undefined || input.providerId === config.providerId
      ? currentProvider
      : await usableProvider(user, input.providerId);
  const modelId = input.modelId ?? config.modelId;
  const modelChanged = provider.id !== config.providerId || modelId !== config.modelId;

  let listed: ProviderModel | null = null;
  if (modelChanged) {
    listed = await findListedModel(provider, modelId);
    assertChatModel(listed);
    // A display name that was left to default follows the model id.
    if (input.displayName === undefined && config.displayName === config.modelId) {
      config.displayName = modelId;
    }
    config.providerId = provider.id;
    config.modelId = modelId;
    config.modelMissing = false;
  } else if (input.maxTokens !== undefined || input.reasoning !== undefined) {
    listed = await ProviderModel.findOne({ where: { providerId: provider.id, modelId } });
  }
  applyFields(config, input);

  if (modelChanged || input.maxTokens !== undefined) {
    assertWithinContext(config, listed, false);
    config.exceedsContextLength = false;
  }
  if (modelChanged || input.reasoning !== undefined) {
    assertReasoningFits(config, listed);
  }
  if (input.maxTokens !== undefined || input.reasoning !== undefined) {
    assertBudgetBelowMaxTokens(config);
  }
  await saveUnique(config, provider);
  return { config, provider };
}

function applyFields(config: ModelConfig, input: ModelConfigInput): void {
  if (input.displayName !== undefined) {
    config.displayName = input.displayName;
  }
  if (input.temperature !== undefined) {
    config.temperature = input.temperature;
  }
  if (input.maxTokens !== undefined) {
    config.maxTokens = input.maxTokens;
  }
  if (input.topP !== undefined) {
    config.topP = input.topP;
  }
  if (input.topK !== undefined) {
    config.topK = input.topK;
  }
  if (input.reasoning !== undefined) {
    config.reasoning = input.reasoning;
  }
  if (input.priceInputPerMTok !== undefined) {
    config.priceInputPerMTok = input.priceInputPerMTok;
  }
  if (input.priceOutputPerMTok !== undefined) {
    config.priceOutputPerMTok = input.priceOutputPerMTok;
  }
  if (input.enabled !== undefined) {
    config.enabled = input.enabled;
  }
}

/** Loads the provider a config should use, which must be visible to the user and enabled. */
async function usableProvider(user: User, providerId: number): Promise<Provider> {
  const provider = await Provider.findByPk(providerId);
  const readable =
    provider !== null && (user.role === 'admin' || provider.ownerId === user.id || provider.shared);
  if (!readable) {
    throw bodyFieldError(
      'providerId',
      `provider ${providerId} was not found; use the id of a provider from GET /api/providers`,
    );
  }
  if (!provider.enabled) {
    throw bodyFieldError(
      'providerId',
      `provider ${provider.name} (id ${provider.id}) is disabled; enable it or choose another provider`,
    );
  }
  return provider;
}

/**
 * Returns the synced model with this id, or null when the provider was never synced, in which
 * case any model id is accepted. Throws when the provider has a synced list without the model.
 * NOTE: a provider whose last sync listed no models counts as never synced, because the sync
 * time of the list is not stored.
 */
async function findListedModel(provider: Provider, modelId: string): Promise<ProviderModel | null> {
  const models = await ProviderModel.findAll({ where: { providerId: provider.id } });
  if (models.length === 0) {
    return null;
  }
  // MySQL compares these columns without regard to case, so the match is made here, the same
  // way on every database.
  const listed = models.find((model) => model.modelId === modelId);
  if (listed !== undefined) {
    return listed;
  }
  const sameExceptCase = models.find(
    (model) => model.modelId.toLowerCase() === modelId.toLowerCase(),
  );
  const hint =
    sameExceptCase === undefined ? '' : ` Did you mean ${JSON.stringify(sameExceptCase.modelId)}?`;
  throw bodyFieldError(
    'modelId',
    `model ${JSON.stringify(modelId)} is not among the ${models.length} models synced from ` +
      `provider ${provider.name}; choose a listed model, or sync the provider's models ` +
      `(POST /api/providers/${provider.id}/sync-models) if the model is new.${hint}`,
  );
}

/**
 * Throws when maxTokens is above the model's context length. `defaulted` marks a value that is
 * the default because the request set none, and the message then states that.
 */
function assertWithinContext(
  config: ModelConfig,
  listed: ProviderModel | null,
  defaulted: boolean,
): void {
  const contextLength = listed?.contextLength ?? null;
  if (contextLength === null || config.maxTokens <= contextLength) {
    return;
  }
  const value = defaulted
    ? `the default of ${config.maxTokens}, used because maxTokens was not set,`
    : String(config.maxTokens);
  throw bodyFieldError(
    'maxTokens',
    `${value} exceeds the ${contextLength}-token context length of model ` +
      `${config.modelId}; set maxTokens to ${contextLength} or less`,
  );
}

/** Throws for a synced embedding model, which returns vectors and cannot reply in a chat. */
function assertChatModel(listed: ProviderModel | null): void {
  if (listed === null) {
    return;
  }
  const capabilities = normalizeCapabilities(listed.capabilities);
  if (listed.type === 'embedding' && !capabilities.includes('chat')) {
    throw bodyFieldError(
      'modelId',
      `${listed.modelId} is an embedding model, which cannot reply in a chat; choose a chat model`,
    );
  }
}

/**
 * Throws when the config sets reasoning for a synced model that does not reason. A model that
 * was never synced is taken at the user's word.
 */
function assertReasoningFits(config: ModelConfig, listed: ProviderModel | null): void {
  if (config.reasoning === null || listed === null) {
    return;
  }
  const reasons =
    listed.type === 'reasoning' || normalizeCapabilities(listed.capabilities).includes('reasoning');
  if (!reasons) {
    throw bodyFieldError(
      'reasoning',
      `is set, but model ${listed.modelId} does not reason (its type is ${listed.type}); ` +
        'send reasoning null, or choose a reasoning model',
    );
  }
}

/**
 * Anthropic's extended thinking requires budget_tokens below max_tokens, and a budget of
 * maxTokens or more would leave no tokens for the answer on any provider.
 */
function assertBudgetBelowMaxTokens(config: ModelConfig): void {
  const budget = config.reasoning?.budgetTokens;
  if (budget !== undefined && budget >= config.maxTokens) {
    throw bodyFieldError(
      'reasoning.budgetTokens',
      `${budget} must be less than maxTokens (${config.maxTokens}); lower the budget or raise maxTokens`,
    );
  }
}

/**
 * Saves the config, turning a duplicate (owner, provider, model id, display name) into a 409
 * that names the existing config. The lookup runs first for the message, and the unique index
 * catches a duplicate saved by a concurrent request.
 */
async function saveUnique(config: ModelConfig, provider: Provider): Promise<void> {
  const existing = await findDuplicate(config);
  if (existing !== null) {
    throw duplicateError(existing, provider);
  }
  try {
    await config.save();
  } catch (error) {
    const raced = error instanceof UniqueConstraintError ? await findDuplicate(config) : null;
    if (raced === null) {
      throw error;
    }
    throw duplicateError(raced, provider);
  }
}

async function findDuplicate(config: ModelConfig): Promise<ModelConfig | null> {
  const existing = await ModelConfig.findOne({
    where: {
      ownerId: config.ownerId,
      providerId: config.providerId,
      modelId: config.modelId,
      displayName: config.displayName,
    },
  });
  return existing === null || existing.id === config.id ? null : existing;
}

function duplicateError(existing: ModelConfig, provider: Provider): HttpError {
  return conflict(
    'model_config_exists',
    `Model config ${JSON.stringify(existing.displayName)} (id ${existing.id}) already uses model ` +
      `${existing.modelId} on provider ${provider.name}; give this one another displayName.`,
    { existingId: existing.id, field: 'body.displayName' },
  );
}

function bodyFieldError(field: string, message: string): HttpError {
  return invalidFields('body', [{ path: field.split('.'), message }]);
}
