import { ModelConfig, Provider, UsageRecord, User } from '../models/index.js';
import type { TestServer } from './testServer.js';

/** The days of the seeded usage, both included. Rows just outside them are seeded too. */
export const SEEDED_PERIOD = { from: '2025-03-01', to: '2025-03-10' } as const;

/**
 * A model id that a spreadsheet would run as a formula, used by the record of a deleted model
 * config, so CSV exports can be checked for the formula guard and for quoting.
 */
export const FORMULA_MODEL_ID = '=HYPERLINK("http://127.0.0.1/x","a,b")';

/** Ids of the records `seedUsage` creates: users by nickname, the provider and two configs. */
export interface SeededUsage {
  aliceId: number;
  bobId: number;
  providerId: number;
  fastConfigId: number;
  reasonerConfigId: number;
}

interface Row {
  at: string;
  user: 'alice' | 'bob' | 'gone';
  config: 'fast' | 'reasoner' | 'deleted';
  prompt: number;
  completion: number;
  reasoning?: number;
  cost: number | null;
  latencyMs: number;
  success?: boolean;
}

/**
 * The seeded usage records. Inside SEEDED_PERIOD, per model config: Reasoner 1 request, 5,000
 * tokens, $1.25; GPT Fast 3 requests (1 failed), 2,015 tokens, $0.6875; the deleted config's
 * FORMULA_MODEL_ID 1 request, 150 tokens, no cost. Per user: alice 2 requests, 6,500 tokens,
 * $1.75; bob 2 requests, 650 tokens, $0.125; the deleted user 1 request, 15 tokens, $0.0625.
 */
const ROWS: Row[] = [
  {
    at: '2025-02-28T23:59:59.999Z',
    user: 'alice',
    config: 'fast',
    prompt: 90_000,
    completion: 9_000,
    cost: 9,
    latencyMs: 999,
  },
  {
    at: '2025-03-01T00:00:00.000Z',
    user: 'alice',
    config: 'fast',
    prompt: 1000,
    completion: 500,
    cost: 0.5,
    latencyMs: 100,
  },
  {
    at: '2025-03-05T12:00:00.000Z',
    user: 'alice',
    config: 'reasoner',
    prompt: 2000,
    completion: 3000,
    reasoning: 1000,
    cost: 1.25,
    latencyMs: 300,
  },
  {
    at: '2025-03-05T13:00:00.000Z',
    user: 'bob',
    config: 'fast',
    prompt: 400,
    completion: 100,
    cost: 0.125,
    latencyMs: 200,
    success: false,
  },
  {
    at: '2025-03-07T08:00:00.000Z',
    user: 'gone',
    config: 'fast',
    prompt: 10,
    completion: 5,
    cost: 0.0625,
    latencyMs: 300,
  },
  {
    at: '2025-03-10T23:59:59.999Z',
    user: 'bob',
    config: 'deleted',
    prompt: 100,
    completion: 50,
    cost: null,
    latencyMs: 400,
  },
  {
    at: '2025-03-11T00:00:00.000Z',
    user: 'bob',
    config: 'fast',
    prompt: 80_000,
    completion: 8_000,
    cost: 8,
    latencyMs: 999,
  },
];

/**
 * Seeds users alice and bob (registered through the API), a provider with the model configs
 * "GPT Fast" and "Reasoner", and the usage records above. The records of user "gone" and of the
 * third config lose their user and config to ON DELETE SET NULL, as after real deletions.
 */
export async function seedUsage(server: TestServer): Promise<SeededUsage> {
  const alice = await server.signUp('alice');
  const bob = await server.signUp('bob');
  const gone = await server.signUp('gone');
  const provider = await Provider.create({
    ownerId: alice.userId,
    name: 'Acme Cloud',
    kind: 'openai-compatible',
    baseUrl: 'http://127.0.0.1:9/v1',
    apiKeyEncrypted: null,
    apiKeyMasked: null,
    headersEncrypted: null,
    headerNames: [],
    lastError: null,
    lastCheckedAt: null,
  });
  const configFor = (modelId: string, displayName: string) =>
    ModelConfig.create({
      ownerId: alice.userId,
      providerId: provider.id,
      modelId,
      displayName,
      temperature: 0.7,
      maxTokens: 8192,
      topP: 0.9,
      topK: 0,
      reasoning: null,
      priceInputPerMTok: 1,
      priceOutputPerMTok: 2,
    });
  const fast = await configFor('gpt-fast', 'GPT Fast');
  const reasoner = await configFor('o-reason', 'Reasoner');
  const deleted = await configFor(FORMULA_MODEL_ID, 'Retired');
  const userIds = { alice: alice.userId, bob: bob.userId, gone: gone.userId };
  const configs = { fast, reasoner, deleted };

  await UsageRecord.bulkCreate(
    ROWS.map((row) => ({
      userId: userIds[row.user],
      providerId: provider.id,
      modelConfigId: configs[row.config].id,
      modelId: configs[row.config].modelId,
      purpose: 'chat' as const,
      promptTokens: row.prompt,
      completionTokens: row.completion,
      reasoningTokens: row.reasoning ?? 0,
      cost: row.cost,
      latencyMs: row.latencyMs,
      ttftMs: null,
      success: row.success ?? true,
      finishReason: row.success === false ? null : 'stop',
      errorCode: row.success === false ? 'rate_limited' : null,
      createdAt: new Date(row.at),
    })),
  );
  await deleted.destroy();
  await User.destroy({ where: { id: gone.userId } });

  return {
    aliceId: alice.userId,
    bobId: bob.userId,
    providerId: provider.id,
    fastConfigId: fast.id,
    reasonerConfigId: reasoner.id,
  };
}
