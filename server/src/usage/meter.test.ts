import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLogger } from '../logger.js';
import { ModelConfig, Provider, UsageRecord } from '../models/index.js';
import {
  createProviderClient,
  type CompletionRequest,
  type ProviderClient,
  type StreamEvent,
} from '../providers/clients/index.js';
import { providerConnection } from '../providers/connection.js';
import {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../testing/fakeProviders/anthropic.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { costOf, meteredStream, type MeterOptions } from './meter.js';

const MODEL = 'claude-sonnet-4-5-20250929';

describe('costOf', () => {
  const prices = { priceInputPerMTok: 3, priceOutputPerMTok: 15 };
  const cases: [string, Parameters<typeof costOf>, number | null][] = [
    ['no usage', [null, prices], null],
    [
      'both prices',
      [{ promptTokens: 1_000_000, completionTokens: 2_000_000, reasoningTokens: 0 }, prices],
      3 + 30,
    ],
    [
      'missing price for used tokens',
      [
        { promptTokens: 10, completionTokens: 10, reasoningTokens: 0 },
        { priceInputPerMTok: null, priceOutputPerMTok: 15 },
      ],
      null,
    ],
    [
      'missing price for unused tokens',
      [
        { promptTokens: 0, completionTokens: 1_000_000, reasoningTokens: 0 },
        { priceInputPerMTok: null, priceOutputPerMTok: 15 },
      ],
      15,
    ],
    [
      'reasoning inside completion',
      [{ promptTokens: 0, completionTokens: 1_000_000, reasoningTokens: 900_000 }, prices],
      15,
    ],
  ];
  for (const [name, args, expected] of cases) {
    test(name, () => {
      assert.equal(costOf(...args), expected);
    });
  }
});

describe(`meteredStream (${testDialect})`, () => {
  let server: TestServer;
  let fake: FakeAnthropicServer;
  let userId: number;
  let client: ProviderClient;
  let meter: MeterOptions;

  before(async () => {
    server = await TestServer.start();
    fake = await startFakeAnthropicServer();
    const alice = await server.signUp('alice');
    userId = alice.userId;
    const created = await server.request<{ provider: { id: number } }>('POST', '/api/providers', {
      token: alice.accessToken,
      body: { kind: 'anthropic', name: 'Claude', baseUrl: fake.baseUrl, apiKey: fake.apiKey },
    });
    const configured = await server.request<{ modelConfig: { id: number } }>(
      'POST',
      '/api/model-configs',
      {
        token: alice.accessToken,
        body: {
          providerId: created.body.provider.id,
          modelId: MODEL,
          maxTokens: 1024,
          priceInputPerMTok: 3,
          priceOutputPerMTok: 15,
        },
      },
    );
    const provider = await Provider.findByPk(created.body.provider.id);
    const modelConfig = await ModelConfig.findByPk(configured.body.modelConfig.id);
    assert.ok(provider !== null);
    assert.ok(modelConfig !== null);
    client = createProviderClient(providerConnection(server.running.services, provider));
    meter = { userId, modelConfig, purpose: 'chat', logger: createLogger('silent') };
  });

  beforeEach(async () => {
    await UsageRecord.destroy({ where: {} });
  });

  after(async () => {
    await fake.close();
    await server.close();
  });

  function request(signal?: AbortSignal): CompletionRequest {
    return {
      model: MODEL,
      messages: [{ role: 'user', content: 'Say hello.' }],
      params: { temperature: 0.7, maxTokens: 1024, topP: 0.9, topK: 0 },
      ...(signal === undefined ? {} : { signal }),
    };
  }

  async function readAll(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
    const seen: StreamEvent[] = [];
    for await (const event of events) {
      seen.push(event);
    }
    return seen;
  }

  async function onlyRecord(): Promise<UsageRecord> {
    const records = await UsageRecord.findAll();
    assert.equal(records.length, 1);
    return records[0] as UsageRecord;
  }

  test('finished stream records tokens and cost', async () => {
    fake.answerWith({
      content: ['Hel', 'lo'],
      usage: { promptTokens: 1000, completionTokens: 2000 },
    });

    const events = await readAll(meteredStream(client, request(), meter));

    const record = await onlyRecord();
    assert.equal(events.at(-1)?.type, 'finish');
    assert.equal(record.userId, userId);
    assert.equal(record.providerId, meter.modelConfig.providerId);
    assert.equal(record.modelConfigId, meter.modelConfig.id);
    assert.equal(record.modelId, MODEL);
    assert.equal(record.purpose, 'chat');
    assert.equal(record.promptTokens, 1000);
    assert.equal(record.completionTokens, 2000);
    assert.equal(record.reasoningTokens, 0);
    // 1,000 × $3 + 2,000 × $15 per million tokens.
    assert.ok(Math.abs((record.cost ?? 0) - 0.033) < 1e-12, `cost ${record.cost}`);
    assert.equal(record.success, true);
    assert.equal(record.finishReason, 'stop');
    assert.equal(record.errorCode, null);
    assert.notEqual(record.ttftMs, null);
    assert.ok((record.ttftMs ?? Infinity) <= record.latencyMs);
  });

  test('events pass through unchanged', async () => {
    fake.answerWith({ reasoning: ['Think', 'ing'], content: ['A', 'B', 'C'] });
    const direct = await readAll(client.stream(request()));

    const metered = await readAll(meteredStream(client, request(), meter));

    assert.deepEqual(metered, direct);
  });

  test('caller stopping early records an abort', async () => {
    fake.answerWithBlocks({
      blocks: [{ type: 'text', pieces: ['one ', 'two ', 'three ', 'four'] }],
      usage: { promptTokens: 50, completionTokens: 4 },
      eventDelayMs: 30,
    });

    const seen: StreamEvent[] = [];
    for await (const event of meteredStream(client, request(), meter)) {
      seen.push(event);
      if (event.type === 'content') {
        break;
      }
    }

    const record = await onlyRecord();
    assert.deepEqual(seen.at(-1), { type: 'content', text: 'one ' });
    assert.equal(record.success, false);
    assert.equal(record.errorCode, 'aborted');
    assert.equal(record.finishReason, null);
    // This provider reports usage only at the end of the stream, so none had arrived.
    assert.equal(record.promptTokens, null);
    assert.equal(record.cost, null);
    assert.ok(record.ttftMs !== null);
  });

  test('abort signal records an abort', async () => {
    fake.answerWithBlocks({
      blocks: [{ type: 'text', pieces: ['one ', 'two ', 'three ', 'four'] }],
      eventDelayMs: 30,
    });
    const controller = new AbortController();

    const events: StreamEvent[] = [];
    for await (const event of meteredStream(client, request(controller.signal), meter)) {
      events.push(event);
      if (event.type === 'content') {
        controller.abort();
      }
    }

    const record = await onlyRecord();
    const last = events.at(-1);
    assert.equal(last?.type === 'error' ? last.error.code : last?.type, 'aborted');
    assert.equal(record.success, false);
    assert.equal(record.errorCode, 'aborted');
  });

  test('provider failure records its code', async () => {
    fake.failNext({ kind: 'server_error' });

    const events = await readAll(meteredStream(client, request(), meter));

    const record = await onlyRecord();
    assert.equal(events.at(-1)?.type, 'error');
    assert.equal(record.success, false);
    assert.equal(record.errorCode, 'server');
    assert.equal(record.ttftMs, null);
  });
});
