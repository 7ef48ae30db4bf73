import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type {
  CompletionRequest,
  FinishReason,
  ProviderClient,
  StreamEvent,
  TokenUsage,
} from '../providers/clients/types.js';
import { ForeignKeyConstraintError, type CreationAttributes } from 'sequelize';
import { ModelConfig, Provider, UsageRecord, User } from '../models/index.js';
import type { UsagePurpose } from '../models/usageRecord.js';

/** The user a metered call is made for and the config whose prices it is billed at. */
export interface MeterOptions {
  userId: number;
  /** The config the call uses: its provider, prices and id go into the usage record. */
  modelConfig: ModelConfig;
  purpose: UsagePurpose;
  logger: Logger;
}

/** Prices in dollars per million tokens, or null when unknown. */
export interface TokenPrices {
  priceInputPerMTok: number | null;
  priceOutputPerMTok: number | null;
}

/**
 * Streams `request` through `client`, passing every event on unchanged, and stores one usage
 * record when the stream ends: after its `finish` or `error` event, or when the caller stops
 * reading early, in which case the record has error code `aborted`. The record contains the last
 * usage the provider reported, so a stream cut short records the tokens counted so far, or none.
 * When the user, provider or config was deleted while the call ran, the record keeps the model id
 * and stores null in place of the missing ids. A failed insert is logged and does not disturb the
 * caller.
 */
export async function* meteredStream(
  client: ProviderClient,
  request: CompletionRequest,
  options: MeterOptions,
): AsyncGenerator<StreamEvent> {
  const tally = new StreamTally(performance.now());
  try {
    for await (const event of client.stream(request)) {
      tally.observe(event);
      yield event;
    }
  } finally {
    await storeUsage(tally, request.model, options);
  }
}

/**
 * Returns the cost in dollars of the tokens at the prices, or null when the usage is unknown or
 * a price is missing for tokens that were used. Reasoning tokens are part of the completion
 * tokens and billed at the output price.
 */
export function costOf(usage: TokenUsage | null, prices: TokenPrices): number | null {
  if (usage === null) {
    return null;
  }
  const input = partCost(usage.promptTokens, prices.priceInputPerMTok);
  const output = partCost(usage.completionTokens, prices.priceOutputPerMTok);
  return input === null || output === null ? null : input + output;
}

function partCost(tokens: number, pricePerMTok: number | null): number | null {
  if (tokens === 0) {
    return 0;
  }
  return pricePerMTok === null ? null : (tokens * pricePerMTok) / 1_000_000;
}

/** The usage, timing and outcome seen so far in one stream. */
class StreamTally {
  usage: TokenUsage | null = null;
  firstTextAt: number | null = null;
  finishReason: FinishReason | null = null;
  errorCode: string | null = null;

  constructor(readonly startedAt: number) {}

  observe(event: StreamEvent): void {
    switch (event.type) {
      case 'reasoning':
      case 'content':
        if (event.text !== '') {
          this.firstTextAt ??= performance.now();
        }
        break;
      case 'usage':
        this.usage = event.usage;
        break;
      case 'finish':
        this.finishReason = event.reason;
        break;
      case 'error':
        this.errorCode = event.error.code;
        break;
      case 'reasoning-block':
        break;
    }
  }

  /** True when the stream ended with its `finish` event and no error. */
  get succeeded(): boolean {
    return (
      this.errorCode === null &&
      this.finishReason !== null &&
      this.finishReason !== 'error' &&
      this.finishReason !== 'aborted'
    );
  }

  /** The error code to store: the stream's own, or `aborted` when it never reached an end. */
  get storedErrorCode(): string | null {
    if (this.errorCode !== null) {
      return this.errorCode;
    }
    if (this.finishReason === null || this.finishReason === 'aborted') {
      return 'aborted';
    }
    return this.finishReason === 'error' ? 'error' : null;
  }
}

async function storeUsage(tally: StreamTally, modelId: string, options: MeterOptions) {
  const config = options.modelConfig;
  const endedAt = performance.now();
  const record: CreationAttributes<UsageRecord> = {
    userId: options.userId,
    providerId: config.providerId,
    modelConfigId: config.id,
    modelId,
    purpose: options.purpose,
    promptTokens: tally.usage?.promptTokens ?? null,
    completionTokens: tally.usage?.completionTokens ?? null,
    reasoningTokens: tally.usage?.reasoningTokens ?? null,
    cost: costOf(tally.usage, config),
    latencyMs: Math.round(endedAt - tally.startedAt),
    ttftMs: tally.firstTextAt === null ? null : Math.round(tally.firstTextAt - tally.startedAt),
    success: tally.succeeded,
    finishReason: tally.finishReason,
    errorCode: tally.storedErrorCode,
  };
  try {
    await insertUsageRecord(record);
  } catch (error) {
    options.logger.error(
      { err: error, userId: options.userId, modelConfigId: config.id },
      'failed to store a usage record',
    );
  }
}

/**
 * Inserts a usage record. When the insert fails because a referenced user, provider or config is
 * gone, inserts it again with null in place of the missing ids.
 */
async function insertUsageRecord(record: CreationAttributes<UsageRecord>): Promise<void> {
  try {
    await UsageRecord.create(record);
  } catch (error) {
    if (!(error instanceof ForeignKeyConstraintError)) {
      throw error;
    }
    await UsageRecord.create(await withoutMissingReferences(record));
  }
}

/** Returns the record with null in place of each user, provider or config id that is gone. */
async function withoutMissingReferences(
  record: CreationAttributes<UsageRecord>,
): Promise<CreationAttributes<UsageRecord>> {
  const [userId, providerId, modelConfigId] = await Promise.all([
    keptId(record.userId, (id) => User.findByPk(id, { attributes: ['id'] })),
    keptId(record.providerId, (id) => Provider.findByPk(id, { attributes: ['id'] })),
    keptId(record.modelConfigId, (id) => ModelConfig.findByPk(id, { attributes: ['id'] })),
  ]);
  return { ...record, userId, providerId, modelConfigId };
}

/** Returns the id when `find` still finds its row, else null. */
async function keptId(
  id: number | null | undefined,
  find: (id: number) => Promise<object | null>,
): Promise<number | null> {
  if (id === null || id === undefined) {
    return null;
  }
  return (await find(id)) === null ? null : id;
}
