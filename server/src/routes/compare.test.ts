import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ApiComparison,
  ApiComparisonResult,
  ComparisonExport,
  ComparisonListResponse,
} from '../../../shared/src/api/compare.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { createModelConfig, createProvider, type Account } from '../chat/testKit.js';
import { ComparisonResult } from '../models/index.js';
import {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../testing/fakeProviders/anthropic.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';

const PNG_PIXEL =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

describe(`compare routes (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let alice: Account;
  let bob: Account;
  let gptConfigId: number;
  let reasonerConfigId: number;
  let claudeConfigId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    openai = await startFakeOpenAiServer();
    anthropic = await startFakeAnthropicServer();
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    anthropic.answerWith({
      content: ['Claude', ' here.'],
      usage: { promptTokens: 12, completionTokens: 2 },
    });
    openai.answerWith({
      reasoning: ['Think | twice.'],
      content: ['An answer with a fence:\n\n```js\nlet x = 1;'],
      usage: { promptTokens: 10, completionTokens: 30, reasoningTokens: 10 },
    });

    const openaiId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
      name: 'OpenAI',
    });
    gptConfigId = await createModelConfig(server, alice, {
      providerId: openaiId,
      modelId: 'gpt-4o',
      displayName: 'GPT | 4o',
      priceInputPerMTok: 2.5,
      priceOutputPerMTok: 10,
    });
    reasonerConfigId = await createModelConfig(server, alice, {
      providerId: openaiId,
      modelId: 'gpt-4o',
      displayName: 'Second GPT',
    });
    const anthropicId = await createProvider(server, alice, {
      kind: 'anthropic',
      baseUrl: anthropic.baseUrl,
      apiKey: anthropic.apiKey,
      name: 'Anthropic',
    });
    claudeConfigId = await createModelConfig(server, alice, {
      providerId: anthropicId,
      modelId: 'claude-sonnet-4-5-20250929',
      displayName: 'Claude',
    });
  });

  after(async () => {
    await server.close();
    await Promise.all([openai.close(), anthropic.close()]);
  });

  const compare = (account: Account, body: Record<string, unknown>) =>
    server.request<{ comparison: ApiComparison } & ApiErrorBody>('POST', '/api/compare', {
      token: account.accessToken,
      body: { stream: false, ...body },
    });

  const threeSlots = (prompt: string) => ({
    prompt,
    slots: [
      { modelConfigId: gptConfigId, systemPrompt: 'System ``` with a fence' },
      { modelConfigId: reasonerConfigId },
      { modelConfigId: claudeConfigId, systemPrompt: '   ' },
    ],
  });

  async function createComparison(
    prompt: string,
    extra: Record<string, unknown> = {},
  ): Promise<ApiComparison> {
    const response = await compare(alice, { ...threeSlots(prompt), ...extra });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body.comparison;
  }

  describe('validation', () => {
    const rejected: [string, Record<string, unknown>, number, string, RegExp][] = [
      ['no slots', { prompt: 'Hi', slots: [] }, 400, 'validation_failed', /body\.slots/],
      [
        'four slots',
        { prompt: 'Hi', slots: Array.from({ length: 4 }, () => ({ modelConfigId: 1 })) },
        400,
        'validation_failed',
        /at most 3 slots/,
      ],
      [
        'blank prompt',
        { prompt: '  ', slots: [{ modelConfigId: 1 }] },
        400,
        'validation_failed',
        /body\.prompt/,
      ],
      [
        'image that is no data URL',
        { prompt: 'Hi', images: ['https://example.com/a.png'], slots: [{ modelConfigId: 1 }] },
        400,
        'validation_failed',
        /body\.images\.0: must be a data URL/,
      ],
      [
        'unknown field',
        { prompt: 'Hi', slots: [{ modelConfigId: 1, model: 'x' }] },
        400,
        'validation_failed',
        /body\.slots\.0/,
      ],
    ];
    for (const [name, body, status, code, message] of rejected) {
      test(`rejects ${name}`, async () => {
        const response = await compare(alice, body);

        assert.equal(response.status, status, JSON.stringify(response.body));
        assert.equal(response.body.error.code, code);
        assert.match(response.body.error.message, message);
      });
    }

    test('names missing variables', async () => {
      const response = await compare(alice, {
        prompt: 'Explain {{topic}} to a {{audience}}.',
        variables: { topic: 'SSE' },
        slots: [{ modelConfigId: gptConfigId }],
      });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'missing_variables');
      assert.match(response.body.error.message, /\{\{audience\}\}/);
      assert.deepEqual(response.body.error.details, { missing: ['audience'] });
    });

    test('names slots that cannot take images', async () => {
      const response = await compare(alice, {
        prompt: 'What is in the picture?',
        images: [PNG_PIXEL],
        slots: [{ modelConfigId: gptConfigId }, { modelConfigId: claudeConfigId }],
      });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'images_not_supported');
      assert.match(response.body.error.message, /slots\[0\] \("GPT \| 4o", openai\)/);
      assert.match(response.body.error.message, /slots\[1\] \("Claude", anthropic\)/);
      assert.deepEqual(response.body.error.details, { slots: [0, 1] });
    });

    test('names the slot of a missing config', async () => {
      const response = await compare(alice, {
        prompt: 'Hi',
        slots: [{ modelConfigId: gptConfigId }, { modelConfigId: 999_999 }],
      });

      assert.equal(response.status, 404);
      assert.match(response.body.error.message, /^slots\[1\]: Model config 999999 was not found/);
      assert.deepEqual(response.body.error.details, {
        field: 'slots.1.modelConfigId',
        slot: 1,
      });
    });

    test('names the slot of a disabled config', async () => {
      const disabled = await server.request('PUT', `/api/model-configs/${reasonerConfigId}`, {
        token: alice.accessToken,
        body: { enabled: false },
      });
      assert.equal(disabled.status, 200);
      try {
        const response = await compare(alice, {
          prompt: 'Hi',
          slots: [{ modelConfigId: reasonerConfigId }],
        });

        assert.equal(response.status, 409);
        assert.equal(response.body.error.code, 'model_config_disabled');
        assert.match(response.body.error.message, /^slots\[0\]: Model config "Second GPT"/);
      } finally {
        await server.request('PUT', `/api/model-configs/${reasonerConfigId}`, {
          token: alice.accessToken,
          body: { enabled: true },
        });
      }
    });
  });

  test('stores results with empty system prompts as none', async () => {
    const comparison = await createComparison('System prompts');

    assert.deepEqual(
      comparison.results.map((result) => result.systemPrompt),
      ['System ``` with a fence', null, null],
    );
  });

  test('history pages and searches', async () => {
    const first = await createComparison('History alpha');
    const second = await createComparison('History BETA');

    const page = await server.request<ComparisonListResponse>(
      'GET',
      '/api/compare?q=history&pageSize=1',
      { token: alice.accessToken },
    );
    const search = await server.request<ComparisonListResponse>('GET', '/api/compare?q=beta', {
      token: alice.accessToken,
    });

    assert.equal(page.status, 200);
    assert.equal(page.body.total, 2);
    assert.equal(page.body.pageSize, 1);
    assert.deepEqual(
      page.body.comparisons.map((summary) => summary.id),
      [second.id],
    );
    const [summary] = page.body.comparisons;
    assert.equal(summary?.prompt, 'History BETA');
    assert.deepEqual(
      summary?.slots.map((slot) => [slot.slot, slot.resultId, slot.modelConfigName, slot.status]),
      second.results.map((result) => [result.slot, result.id, result.modelConfigName, 'complete']),
    );
    assert.deepEqual(
      search.body.comparisons.map((item) => item.id),
      [second.id],
    );
    const next = await server.request<ComparisonListResponse>(
      'GET',
      '/api/compare?q=history&pageSize=1&page=2',
      { token: alice.accessToken },
    );
    assert.deepEqual(
      next.body.comparisons.map((item) => item.id),
      [first.id],
    );
  });

  test('rates results from 1 to 5', async () => {
    const comparison = await createComparison('Rate me');
    const resultId = comparison.results[1]!.id;
    const path = `/api/compare/${comparison.id}/results/${resultId}/rating`;
    const rate = (rating: unknown) =>
      server.request<{ result: ApiComparisonResult } & ApiErrorBody>('PUT', path, {
        token: alice.accessToken,
        body: { rating },
      });

    for (const invalid of [0, 6, 2.5, '4']) {
      const response = await rate(invalid);
      assert.equal(response.status, 400, `rating ${JSON.stringify(invalid)}`);
      assert.match(response.body.error.message, /^Invalid body\.rating/);
    }
    const rated = await rate(4);
    assert.equal(rated.status, 200);
    assert.equal(rated.body.result.rating, 4);
    assert.equal((await ComparisonResult.findByPk(resultId))?.rating, 4);
    const cleared = await rate(null);
    assert.equal(cleared.body.result.rating, null);

    const elsewhere = await createComparison('Another');
    const wrong = await server.request<ApiErrorBody>(
      'PUT',
      `/api/compare/${elsewhere.id}/results/${resultId}/rating`,
      { token: alice.accessToken, body: { rating: 3 } },
    );
    assert.equal(wrong.status, 404);
  });

  test('picks and clears the best answer', async () => {
    const comparison = await createComparison('Pick the best');
    const other = await createComparison('Other');
    const path = `/api/compare/${comparison.id}/best`;
    const pick = (resultId: unknown) =>
      server.request<{ comparison: ApiComparison } & ApiErrorBody>('PUT', path, {
        token: alice.accessToken,
        body: { resultId },
      });

    const picked = await pick(comparison.results[2]!.id);
    const foreign = await pick(other.results[0]!.id);
    const stored = await server.request<{ comparison: ApiComparison }>(
      'GET',
      `/api/compare/${comparison.id}`,
      { token: alice.accessToken },
    );
    const cleared = await pick(null);

    assert.equal(picked.status, 200);
    assert.equal(picked.body.comparison.bestResultId, comparison.results[2]!.id);
    assert.equal(foreign.status, 400);
    assert.equal(foreign.body.error.code, 'invalid_result');
    assert.match(
      foreign.body.error.message,
      new RegExp(`pick one of ${comparison.results[0]!.id}`),
    );
    assert.equal(stored.body.comparison.bestResultId, comparison.results[2]!.id);
    assert.equal(cleared.body.comparison.bestResultId, null);
  });

  test('JSON export has every field', async () => {
    const comparison = await createComparison('Export {{what}}', { variables: { what: 'JSON' } });
    await server.request('PUT', `/api/compare/${comparison.id}/best`, {
      token: alice.accessToken,
      body: { resultId: comparison.results[0]!.id },
    });
    const detail = await server.request<{ comparison: ApiComparison }>(
      'GET',
      `/api/compare/${comparison.id}`,
      { token: alice.accessToken },
    );

    const response = await fetch(`${server.url}/api/compare/${comparison.id}/export?format=json`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const exported = (await response.json()) as ComparisonExport;

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.match(
      response.headers.get('content-disposition') ?? '',
      new RegExp(`attachment; filename="comparison-${comparison.id}\\.json"`),
    );
    assert.equal(exported.exportVersion, 1);
    assert.ok(!Number.isNaN(Date.parse(exported.exportedAt)));
    assert.deepEqual(exported.comparison, detail.body.comparison);
    // Every column of comparison_results, plus answerTokens derived from the usage.
    assert.deepEqual(Object.keys(exported.comparison.results[0]!).sort(), [
      'answerMs',
      'answerTokens',
      'comparisonId',
      'content',
      'cost',
      'createdAt',
      'error',
      'finishReason',
      'id',
      'latencyMs',
      'modelConfigId',
      'modelConfigName',
      'modelId',
      'providerFinishReason',
      'providerName',
      'rating',
      'reasoning',
      'slot',
      'status',
      'systemPrompt',
      'tokensPerSecond',
      'ttfaMs',
      'ttftMs',
      'updatedAt',
      'usage',
    ]);
    assert.deepEqual(Object.keys(exported.comparison).sort(), [
      'bestResultId',
      'createdAt',
      'id',
      'prompt',
      'promptTemplate',
      'results',
      'updatedAt',
      'variables',
    ]);
    assert.equal(exported.comparison.prompt, 'Export JSON');
    assert.equal(exported.comparison.promptTemplate, 'Export {{what}}');
    assert.deepEqual(exported.comparison.variables, { what: 'JSON' });
    assert.equal(exported.comparison.bestResultId, comparison.results[0]!.id);
  });

  test('Markdown export has metrics and answers', async () => {
    const comparison = await createComparison('Export as Markdown');
    const [gpt, second, claude] = comparison.results as [
      ApiComparisonResult,
      ApiComparisonResult,
      ApiComparisonResult,
    ];
    await server.request('PUT', `/api/compare/${comparison.id}/results/${gpt.id}/rating`, {
      token: alice.accessToken,
      body: { rating: 5 },
    });
    await server.request('PUT', `/api/compare/${comparison.id}/best`, {
      token: alice.accessToken,
      body: { resultId: gpt.id },
    });

    const response = await fetch(`${server.url}/api/compare/${comparison.id}/export?format=md`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const markdown = await response.text();

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/markdown/);
    const lines = markdown.split('\n');
    const row = (label: string) => lines.find((line) => line.startsWith(`| ${label} |`));
    assert.equal(
      row('Metric'),
      '| Metric | Slot 1: GPT \\| 4o | Slot 2: Second GPT | Slot 3: Claude |',
    );
    assert.equal(
      row('Model'),
      '| Model | gpt-4o (OpenAI) | gpt-4o (OpenAI) | claude-sonnet-4-5-20250929 (Anthropic) |',
    );
    assert.equal(row('Status'), '| Status | complete | complete | complete |');
    assert.equal(
      row('Time to first token'),
      `| Time to first token | ${gpt.ttftMs} ms | ${second.ttftMs} ms | ${claude.ttftMs} ms |`,
    );
    assert.equal(
      row('Total latency'),
      `| Total latency | ${gpt.latencyMs} ms | ${second.latencyMs} ms | ${claude.latencyMs} ms |`,
    );
    assert.equal(row('Prompt tokens'), '| Prompt tokens | 10 | 10 | 12 |');
    assert.equal(row('Completion tokens'), '| Completion tokens | 30 | 30 | 2 |');
    assert.equal(row('Reasoning tokens'), '| Reasoning tokens | 10 | 10 | 0 |');
    assert.equal(row('Answer tokens'), '| Answer tokens | 20 | 20 | 2 |');
    // 10 prompt tokens at $2.50 and 30 completion tokens at $10 per million; the others have no prices.
    assert.equal(row('Cost'), '| Cost | $0.000325 | – | – |');
    assert.equal(row('Rating'), '| Rating | 5/5 | – | – |');
    for (const label of [
      'Finish reason',
      'Provider finish reason',
      'Time to first answer token',
      'Answer time',
      'Tokens per second',
      'Error',
    ]) {
      assert.ok(row(label) !== undefined, `no ${label} row`);
    }
    assert.ok(markdown.includes('- Best answer: Slot 1: GPT | 4o'));
    assert.ok(markdown.includes('## Slot 1: GPT | 4o · best answer'));
    assert.ok(markdown.includes('````text\nSystem ``` with a fence\n````'));
    assert.ok(
      markdown.includes('<details>\n<summary>Reasoning</summary>\n\nThink | twice.\n\n</details>'),
    );
    // The answer's open fence is closed, so the next heading is not swallowed.
    assert.ok(markdown.includes('```js\nlet x = 1;\n```\n\n## Slot 2: Second GPT'));
    assert.ok(markdown.includes('## Slot 3: Claude\n\nClaude here.\n'));
  });

  test('delete removes the results', async () => {
    const comparison = await createComparison('Delete me');

    const deleted = await server.request('DELETE', `/api/compare/${comparison.id}`, {
      token: alice.accessToken,
    });
    const after = await server.request('GET', `/api/compare/${comparison.id}`, {
      token: alice.accessToken,
    });

    assert.equal(deleted.status, 204);
    assert.equal(after.status, 404);
    assert.equal(await ComparisonResult.count({ where: { comparisonId: comparison.id } }), 0);
  });

  test("another user's comparison is not found", async () => {
    const comparison = await createComparison('Private to alice');
    const resultId = comparison.results[0]!.id;
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/compare/${comparison.id}`],
      ['GET', `/api/compare/${comparison.id}/export?format=json`],
      ['POST', `/api/compare/${comparison.id}/stop`, {}],
      ['PUT', `/api/compare/${comparison.id}/best`, { resultId }],
      ['PUT', `/api/compare/${comparison.id}/results/${resultId}/rating`, { rating: 1 }],
      ['DELETE', `/api/compare/${comparison.id}`],
    ];

    for (const [method, path, body] of attempts) {
      const response = await server.request<ApiErrorBody>(method, path, {
        token: bob.accessToken,
        ...(body === undefined ? {} : { body }),
      });
      assert.equal(response.status, 404, `${method} ${path}`);
      assert.equal(response.body.error.message, `Comparison ${comparison.id} was not found.`);
    }
    const list = await server.request<ComparisonListResponse>('GET', '/api/compare', {
      token: bob.accessToken,
    });
    assert.equal(list.body.total, 0);
    const stillThere = await server.request<{ comparison: ApiComparison }>(
      'GET',
      `/api/compare/${comparison.id}`,
      { token: alice.accessToken },
    );
    assert.equal(stillThere.body.comparison.bestResultId, null);
    assert.equal(stillThere.body.comparison.results[0]?.rating, null);
  });

  test("another user's config is not found", async () => {
    const response = await compare(bob, { prompt: 'Hi', slots: [{ modelConfigId: gptConfigId }] });

    assert.equal(response.status, 404);
    assert.match(response.body.error.message, /^slots\[0\]: Model config \d+ was not found/);
  });

  test('stop of an ended comparison changes nothing', async () => {
    const comparison = await createComparison('Already done');
    const single = await compare(alice, {
      prompt: 'One slot',
      slots: [{ modelConfigId: gptConfigId }],
    });

    const stopped = await server.request<{ comparison: ApiComparison } & ApiErrorBody>(
      'POST',
      `/api/compare/${comparison.id}/stop`,
      { token: alice.accessToken, body: {} },
    );
    const badSlot = await server.request<ApiErrorBody>(
      'POST',
      `/api/compare/${single.body.comparison.id}/stop`,
      { token: alice.accessToken, body: { slot: 2 } },
    );

    assert.equal(stopped.status, 200);
    assert.deepEqual(stopped.body.comparison, comparison);
    assert.equal(badSlot.status, 400);
    assert.equal(badSlot.body.error.code, 'invalid_slot');
    assert.match(badSlot.body.error.message, /has 1 slots, numbered from 0; slot 2 does not exist/);
  });
});
