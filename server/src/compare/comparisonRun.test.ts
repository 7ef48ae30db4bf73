import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { ApiComparison, ApiComparisonResult } from '../../../shared/src/api/compare.js';
import { chatRuntime } from '../chat/runtime.js';
import { createModelConfig, createProvider, waitFor, type Account } from '../chat/testKit.js';
import { ComparisonResult, UsageRecord } from '../models/index.js';
import {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../testing/fakeProviders/anthropic.js';
import { startFakeOllamaServer, type FakeOllamaServer } from '../testing/fakeProviders/ollama.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import {
  assertWithin,
  completion,
  eventsOf,
  getComparison,
  onlyForSlot,
  postComparison,
  slotText,
} from './testKit.js';

// Timing tolerances. The fakes wait with timers, which never fire early, so a gap the fake
// schedules after the request arrived is a lower bound for TTFT and latency, less 1 ms for
// rounding. A span between two received chunks can come out shorter than scheduled, when the
// first chunk's receipt is delayed while the server handles another slot; BELOW covers that.
// ABOVE covers scheduling delays on a loaded test machine (CI shares two cores among suites).
const ROUNDING_MS = 1;
const BELOW_MS = 30;
const ABOVE_MS = 300;

/** Pause between the fast model's chunks and between the reasoning model's chunks. */
const FAST_MS = 40;
const SLOW_MS = 100;

const FAST_ANSWER = {
  content: ['Fast', ' model', ' says', ' hi.'],
  usage: { promptTokens: 20, completionTokens: 40 },
};
const REASONER_ANSWER = {
  reasoning: ['Weigh', ' the', ' options.'],
  content: ['Slow', ' but', ' sure', ' answer.'],
  usage: { promptTokens: 12, completionTokens: 100, reasoningTokens: 60 },
};

/** The config prices in dollars per million tokens. */
const PRICES = { priceInputPerMTok: 2, priceOutputPerMTok: 8 };

function assertCost(result: ApiComparisonResult, promptTokens: number, completionTokens: number) {
  const expected =
    (promptTokens * PRICES.priceInputPerMTok) / 1e6 +
    (completionTokens * PRICES.priceOutputPerMTok) / 1e6;
  assert.ok(result.cost !== null, `slot ${result.slot} has no cost`);
  assert.ok(Math.abs(result.cost - expected) < 1e-12, `cost ${result.cost}, expected ${expected}`);
}

/** Asserts tokens per second equals answer tokens over the stored answer time, to its rounding. */
function assertSpeed(result: ApiComparisonResult, answerTokens: number) {
  assert.equal(result.answerTokens, answerTokens);
  assert.ok(result.answerMs !== null, `slot ${result.slot} has no answer time`);
  assert.ok(result.answerMs > 0, `slot ${result.slot} answered in ${result.answerMs} ms`);
  assert.ok(result.tokensPerSecond !== null, `slot ${result.slot} has no speed`);
  // answerMs is rounded to whole milliseconds, and the speed comes from the unrounded span.
  const low = (answerTokens * 1000) / (result.answerMs + 0.5);
  const high = (answerTokens * 1000) / (result.answerMs - 0.5);
  assert.ok(
    result.tokensPerSecond >= low && result.tokensPerSecond <= high,
    `${result.tokensPerSecond} tokens/s is not ${answerTokens} tokens over ${result.answerMs} ms`,
  );
}

describe(`comparison run (${testDialect})`, () => {
  let server: TestServer;
  let ollama: FakeOllamaServer;
  let reasoner: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let openai: FakeOpenAiServer;
  let alice: Account;
  let fastConfigId: number;
  let reasonerConfigId: number;
  let claudeConfigId: number;
  let gptConfigId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    ollama = await startFakeOllamaServer({ chunkIntervalMs: FAST_MS });
    reasoner = await startFakeOpenAiServer({ profile: 'deepseek' });
    anthropic = await startFakeAnthropicServer();
    openai = await startFakeOpenAiServer();
    alice = await server.signUp('alice');

    const ollamaId = await createProvider(server, alice, {
      kind: 'ollama',
      baseUrl: ollama.baseUrl,
      name: 'Local Ollama',
    });
    fastConfigId = await createModelConfig(server, alice, {
      providerId: ollamaId,
      modelId: 'llama3.2:latest',
      displayName: 'Llama fast',
      ...PRICES,
    });
    const reasonerId = await createProvider(server, alice, {
      kind: 'openai-compatible',
      baseUrl: reasoner.baseUrl,
      apiKey: reasoner.apiKey,
      name: 'DeepSeek',
    });
    reasonerConfigId = await createModelConfig(server, alice, {
      providerId: reasonerId,
      modelId: 'deepseek-reasoner',
      displayName: 'Reasoner',
      ...PRICES,
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
      ...PRICES,
    });
    const openaiId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    gptConfigId = await createModelConfig(server, alice, {
      providerId: openaiId,
      modelId: 'gpt-4o',
      displayName: 'GPT-4o',
      ...PRICES,
    });
  });

  after(async () => {
    await server.close();
    await Promise.all([ollama.close(), reasoner.close(), anthropic.close(), openai.close()]);
  });

  beforeEach(() => {
    ollama.answerWith(FAST_ANSWER);
    reasoner.answerWith({ ...REASONER_ANSWER, chunkDelayMs: SLOW_MS });
    anthropic.answerWith({ content: ['Claude', ' here.'] });
    const runtime = chatRuntime(server.running.services);
    runtime.keepAliveMs = 15_000;
    runtime.maxAnswerChars = 1_000_000;
    runtime.writeTimeoutMs = 60_000;
  });

  const threeSlots = () => ({
    prompt: 'Compare {{thing}} in one line.',
    variables: { thing: 'tea and coffee' },
    slots: [
      { modelConfigId: fastConfigId, systemPrompt: 'Be quick.' },
      { modelConfigId: reasonerConfigId, systemPrompt: 'Think first.' },
      { modelConfigId: claudeConfigId },
    ],
    stream: true,
  });

  test('three slots stream in parallel', async () => {
    anthropic.failNext({ kind: 'rate_limited', retryAfterSeconds: 7 });
    chatRuntime(server.running.services).keepAliveMs = 40;

    const reply = await postComparison(server, alice.accessToken, threeSlots());

    assert.equal(reply.status, 200);
    assert.deepEqual(
      reply.events.slice(0, 3).map((event) => [event.type, (event.data as { slot: number }).slot]),
      [
        ['start', 0],
        ['start', 1],
        ['start', 2],
      ],
    );
    const comparison = completion(reply);
    assert.equal(comparison.prompt, 'Compare tea and coffee in one line.');
    assert.equal(comparison.promptTemplate, 'Compare {{thing}} in one line.');
    assert.deepEqual(comparison.variables, { thing: 'tea and coffee' });
    assert.deepEqual(
      comparison.results.map((result) => [result.slot, result.modelConfigName, result.status]),
      [
        [0, 'Llama fast', 'complete'],
        [1, 'Reasoner', 'complete'],
        [2, 'Claude', 'error'],
      ],
    );
    assert.equal(slotText(reply, 'content', 0), 'Fast model says hi.');
    assert.equal(slotText(reply, 'reasoning', 0), '');
    assert.equal(slotText(reply, 'content', 1), 'Slow but sure answer.');
    assert.equal(slotText(reply, 'reasoning', 1), 'Weigh the options.');
    assert.ok(reply.raw.includes(':keep-alive'), 'no keep-alive comment in a stream with gaps');

    // The failing and the fast slot end while the reasoning model is still thinking.
    const failed = onlyForSlot(reply, 'error', 2);
    const fastDone = onlyForSlot(reply, 'done', 0);
    const slowDone = onlyForSlot(reply, 'done', 1);
    const firstSlowContent = eventsOf(reply, 'content').find((event) => event.data.slot === 1);
    assert.ok(failed.index < firstSlowContent!.index, 'the failed slot waited for another');
    assert.ok(fastDone.index < firstSlowContent!.index, 'the fast slot waited for another');
    assert.ok(slowDone.index < reply.events.length - 1);
    assert.equal(failed.error.code, 'rate_limited');
    assert.equal(failed.error.status, 429);
    assert.equal(failed.error.retryAfterMs, 7000);

    const stored = await getComparison(server, alice.accessToken, comparison.id);
    assert.deepEqual(stored, comparison);
    assert.deepEqual(fastDone.result, stored.results[0]);
    assert.deepEqual(slowDone.result, stored.results[1]);
    assert.deepEqual(failed.result, stored.results[2]);
  });

  test('metrics match the fake timings', async () => {
    anthropic.failNext({ kind: 'rate_limited', retryAfterSeconds: 7 });

    const reply = await postComparison(server, alice.accessToken, threeSlots());
    const [fast, slow, failed] = completion(reply).results as [
      ApiComparisonResult,
      ApiComparisonResult,
      ApiComparisonResult,
    ];

    // Ollama writes its first chunk at once, then one chunk every FAST_MS: four content chunks
    // and the final chunk with the counts.
    assertWithin('fast TTFT', fast.ttftMs, 0, { below: 0, above: ABOVE_MS });
    assert.equal(fast.ttfaMs, fast.ttftMs, 'without reasoning the first token is an answer token');
    // The answer time runs from the first content chunk to the end of the stream.
    assertWithin('fast answer time', fast.answerMs, 4 * FAST_MS, {
      below: BELOW_MS,
      above: ABOVE_MS,
    });
    assertWithin('fast latency', fast.latencyMs, 4 * FAST_MS, {
      below: ROUNDING_MS,
      above: ABOVE_MS,
    });
    assert.deepEqual(fast.usage, { promptTokens: 20, completionTokens: 40, reasoningTokens: 0 });
    assertSpeed(fast, 40);
    assertCost(fast, 20, 40);
    assert.equal(fast.reasoning, null);
    assert.equal(fast.finishReason, 'stop');
    assert.equal(fast.systemPrompt, 'Be quick.');

    // The OpenAI-compatible fake sends a role chunk at once, then one chunk every SLOW_MS: three
    // reasoning chunks, four content chunks, the finish chunk, the usage chunk and [DONE].
    assertWithin('slow TTFT', slow.ttftMs, SLOW_MS, { below: ROUNDING_MS, above: ABOVE_MS });
    assertWithin('slow TTFA', slow.ttfaMs, 4 * SLOW_MS, { below: ROUNDING_MS, above: ABOVE_MS });
    assertWithin('slow reasoning time', slow.ttfaMs! - slow.ttftMs!, 3 * SLOW_MS, {
      below: BELOW_MS,
      above: ABOVE_MS,
    });
    assertWithin('slow answer time', slow.answerMs, 6 * SLOW_MS, {
      below: BELOW_MS,
      above: ABOVE_MS,
    });
    assertWithin('slow latency', slow.latencyMs, 10 * SLOW_MS, {
      below: ROUNDING_MS,
      above: ABOVE_MS,
    });
    assert.deepEqual(slow.usage, { promptTokens: 12, completionTokens: 100, reasoningTokens: 60 });
    assertSpeed(slow, 40);
    assertCost(slow, 12, 100);
    assert.equal(slow.reasoning, 'Weigh the options.');
    assert.equal(slow.content, 'Slow but sure answer.');

    assert.equal(failed.status, 'error');
    assert.equal(failed.finishReason, 'error');
    assert.equal(failed.content, '');
    assert.equal(failed.ttftMs, null);
    assert.equal(failed.ttfaMs, null);
    assert.equal(failed.answerMs, null);
    assert.equal(failed.tokensPerSecond, null);
    assert.equal(failed.usage, null);
    assert.equal(failed.answerTokens, null);
    assert.equal(failed.cost, null);
    assert.ok(failed.latencyMs !== null, 'the failed slot has no latency');
    assert.ok(failed.latencyMs < slow.latencyMs!, 'the failed slot waited for the slow one');
  });

  test('slots send their own system prompts', async () => {
    const ollamaBefore = ollama.requests.length;
    const reasonerBefore = reasoner.requests.length;
    const anthropicBefore = anthropic.requests.length;

    const reply = await postComparison(server, alice.accessToken, threeSlots());

    assert.equal(reply.status, 200);
    const ollamaBody = ollama.requests.slice(ollamaBefore).find((r) => r.path === '/api/chat')
      ?.body as { messages: { role: string; content: string }[] };
    assert.deepEqual(ollamaBody.messages, [
      { role: 'system', content: 'Be quick.' },
      { role: 'user', content: 'Compare tea and coffee in one line.' },
    ]);
    const reasonerBody = reasoner.requests
      .slice(reasonerBefore)
      .find((r) => r.path === '/v1/chat/completions')?.body as {
      messages: { role: string; content: string }[];
    };
    assert.deepEqual(reasonerBody.messages, [
      { role: 'system', content: 'Think first.' },
      { role: 'user', content: 'Compare tea and coffee in one line.' },
    ]);
    const claudeBody = anthropic.requests
      .slice(anthropicBefore)
      .find((r) => r.path === '/v1/messages')?.body as { system?: unknown; messages: unknown[] };
    assert.equal(claudeBody.system, undefined);
    assert.equal(completion(reply).results[2]?.content, 'Claude here.');
  });

  test('metered as compare usage', async () => {
    const before = await UsageRecord.count({ where: { purpose: 'compare', userId: alice.userId } });

    const reply = await postComparison(server, alice.accessToken, threeSlots());

    assert.equal(reply.status, 200);
    const records = await UsageRecord.findAll({
      where: { purpose: 'compare', userId: alice.userId },
      order: [['id', 'ASC']],
    });
    assert.equal(records.length - before, 3);
    const added = records.slice(before);
    assert.deepEqual(
      added.map((record) => record.modelConfigId).sort(),
      [fastConfigId, reasonerConfigId, claudeConfigId].sort(),
    );
    assert.ok(added.every((record) => record.success));
  });

  test('JSON reply in slot order', async () => {
    anthropic.failNext({ kind: 'rate_limited', retryAfterSeconds: 7 });
    const body = { ...threeSlots(), stream: false };
    // The slowest config first, so slot order differs from the order the slots end in.
    body.slots = [body.slots[1]!, body.slots[2]!, body.slots[0]!];

    const response = await server.request<{ comparison: ApiComparison }>('POST', '/api/compare', {
      token: alice.accessToken,
      body,
    });

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    assert.deepEqual(
      response.body.comparison.results.map((result) => [result.slot, result.modelConfigName]),
      [
        [0, 'Reasoner'],
        [1, 'Claude'],
        [2, 'Llama fast'],
      ],
    );
    assert.equal(response.body.comparison.results[0]?.status, 'complete');
    assert.equal(response.body.comparison.results[1]?.error?.code, 'rate_limited');
    assert.equal(response.body.comparison.results[2]?.content, 'Fast model says hi.');
  });

  test('Accept header selects the stream', async () => {
    const body = { ...threeSlots(), stream: undefined };

    const reply = await postComparison(server, alice.accessToken, body, {
      headers: { Accept: 'text/event-stream' },
    });

    assert.match(reply.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(completion(reply).results.length, 3);
  });

  test('disconnect aborts every slot', async () => {
    openai.answerWith({
      content: Array.from({ length: 20 }, (_, index) => `word${index} `),
      chunkDelayMs: SLOW_MS,
    });
    ollama.answerWith({ content: Array.from({ length: 40 }, (_, index) => `piece${index} `) });
    reasoner.answerWith({ ...REASONER_ANSWER, chunkDelayMs: SLOW_MS });
    let comparisonId = 0;

    await postComparison(
      server,
      alice.accessToken,
      {
        prompt: 'Write a long text.',
        slots: [
          { modelConfigId: gptConfigId },
          { modelConfigId: reasonerConfigId },
          { modelConfigId: fastConfigId },
        ],
        stream: true,
      },
      {
        onEvent: (event, controller) => {
          if (event.type === 'start') {
            comparisonId = event.data.comparisonId;
          }
          if (event.type === 'content' && event.data.slot === 0) {
            controller.abort();
          }
        },
      },
    );

    let stored: ApiComparison | undefined;
    await waitFor('every slot stored as stopped', async () => {
      stored = await getComparison(server, alice.accessToken, comparisonId);
      return stored.results.every((result) => result.status === 'stopped');
    });
    const [gpt, slow, fast] = stored!.results as [
      ApiComparisonResult,
      ApiComparisonResult,
      ApiComparisonResult,
    ];
    assert.ok(gpt.content.startsWith('word0 '), `partial answer ${JSON.stringify(gpt.content)}`);
    assert.ok(gpt.content.length < 'word0 '.length * 20);
    assert.ok(fast.content.startsWith('piece0 '));
    assert.ok(!fast.content.includes('piece39'), 'the fast slot ran to its end');
    assert.notEqual(slow.content, 'Slow but sure answer.');
    for (const result of stored!.results) {
      assert.equal(result.finishReason, 'aborted');
      assert.equal(result.error, null);
      assert.ok(result.latencyMs !== null);
    }
    await waitFor('the provider streams closed', () => openai.openStreams === 0);
    await waitFor('the reasoner stream closed', () => reasoner.openStreams === 0);
    assert.ok(ollama.closedByClient >= 1, 'the Ollama request was not aborted');
  });

  test('stop ends one slot', async () => {
    openai.answerWith({
      content: Array.from({ length: 12 }, (_, index) => `word${index} `),
      chunkDelayMs: SLOW_MS,
    });
    let comparisonId = 0;
    let stopped: { status: number; body: { comparison: ApiComparison } } | undefined;

    const reply = await postComparison(
      server,
      alice.accessToken,
      {
        prompt: 'Two slots.',
        slots: [{ modelConfigId: gptConfigId }, { modelConfigId: reasonerConfigId }],
        stream: true,
      },
      {
        onEvent: async (event) => {
          if (event.type === 'start') {
            comparisonId = event.data.comparisonId;
          }
          if (event.type === 'content' && event.data.slot === 0 && stopped === undefined) {
            stopped = await server.request('POST', `/api/compare/${comparisonId}/stop`, {
              token: alice.accessToken,
              body: { slot: 0 },
            });
          }
        },
      },
    );

    assert.equal(stopped?.status, 200, JSON.stringify(stopped?.body));
    assert.equal(stopped?.body.comparison.results[0]?.status, 'stopped');
    assert.equal(stopped?.body.comparison.results[1]?.status, 'streaming');
    assert.equal(onlyForSlot(reply, 'done', 0).status, 'stopped');
    assert.equal(onlyForSlot(reply, 'done', 1).status, 'complete');
    assert.deepEqual(
      completion(reply).results.map((result) => result.status),
      ['stopped', 'complete'],
    );
  });

  test('answer cut at the character limit', async () => {
    chatRuntime(server.running.services).maxAnswerChars = 12;
    openai.answerWith({
      content: Array.from({ length: 30 }, (_, index) => `w${index} `),
      chunkDelayMs: 5,
    });

    const reply = await postComparison(server, alice.accessToken, {
      prompt: 'Ramble.',
      slots: [{ modelConfigId: gptConfigId }],
      stream: true,
    });

    const [result] = completion(reply).results;
    assert.equal(result?.content, 'w0 w1 w2 w3 ');
    assert.equal(slotText(reply, 'content', 0), 'w0 w1 w2 w3 ');
    assert.equal(result?.status, 'complete');
    assert.equal(result?.finishReason, 'length');
    await waitFor('the provider stream closed', () => openai.openStreams === 0);
  });

  test('reader that stops is cut off', async () => {
    const runtime = chatRuntime(server.running.services);
    runtime.writeTimeoutMs = 300;
    runtime.maxAnswerChars = 50_000_000;
    // 24 MiB of text, more than the loopback socket buffers take, so writes back up.
    const piece = 'x'.repeat(16 * 1024);
    openai.answerWith({ content: Array.from({ length: 1536 }, () => piece) });
    const body = JSON.stringify({
      prompt: 'Flood.',
      slots: [{ modelConfigId: gptConfigId }],
      stream: true,
    });
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/compare HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${alice.accessToken}` +
        `\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}` +
        `\r\n\r\n${body}`,
    );
    // The client reads nothing from here on.
    socket.pause();

    try {
      await waitFor(
        'the write timeout to stop the slot',
        () => server.log.some((line) => line.includes('compare client read nothing')),
        20_000,
      );
      let stored: ComparisonResult | null = null;
      await waitFor('the slot stored as stopped', async () => {
        stored = await ComparisonResult.findOne({ order: [['id', 'DESC']] });
        return stored?.status === 'stopped';
      });
      assert.equal(stored!.finishReason, 'aborted');
      assert.ok(stored!.content.length > 0);
      assert.ok(stored!.content.length < piece.length * 1536, 'the whole answer was read');
    } finally {
      socket.destroy();
    }
  });

  test('interrupted results are marked stopped', async () => {
    const reply = await postComparison(server, alice.accessToken, threeSlots());
    const comparison = completion(reply);
    const [first, second] = comparison.results as [ApiComparisonResult, ApiComparisonResult];
    // As a server that crashed mid-answer leaves them: one result untouched for two minutes,
    // one refreshed a moment ago by a server that may still run it.
    await ComparisonResult.update(
      { status: 'streaming', updatedAt: new Date(Date.now() - 120_000) },
      { where: { id: first.id }, silent: true },
    );
    await ComparisonResult.update({ status: 'streaming' }, { where: { id: second.id } });

    const stored = await getComparison(server, alice.accessToken, comparison.id);

    assert.equal(stored.results[0]?.status, 'stopped');
    assert.equal(stored.results[0]?.finishReason, 'aborted');
    assert.equal(stored.results[1]?.status, 'streaming');
  });
});
