import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  startFakeOpenAiServer,
  type FakeOpenAiOptions,
  type FakeOpenAiServer,
} from '../../testing/fakeProviders/openai.js';
import { startEndlessBodyServer } from '../../testing/largeBody.js';
import { OpenAiClient } from './openai.js';
import { listedModels } from './openaiModels.js';
import { buildChatBody, profileFor } from './openaiProfiles.js';
import {
  ProviderError,
  type ChatTurn,
  type ClientTimeouts,
  type CompletionRequest,
  type ProviderConnection,
  type StreamEvent,
} from './types.js';

const TIMEOUTS: ClientTimeouts = { requestMs: 2000, idleMs: 500 };

function clientFor(
  server: FakeOpenAiServer,
  connection: Partial<ProviderConnection> = {},
  timeouts: ClientTimeouts = TIMEOUTS,
): OpenAiClient {
  return new OpenAiClient(
    {
      kind: 'openai-compatible',
      baseUrl: server.baseUrl,
      apiKey: server.apiKey,
      headers: {},
      ...connection,
    },
    timeouts,
  );
}

function chatRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    model: 'gpt-4o',
    system: null,
    messages: [{ role: 'user', content: 'What is 2+2?' }],
    params: { temperature: 0.7, maxTokens: 256, topP: 0.9, topK: 0 },
    ...overrides,
  };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const collected: StreamEvent[] = [];
  for await (const event of events) {
    collected.push(event);
  }
  return collected;
}

function textOf(events: StreamEvent[], type: 'reasoning' | 'content'): string {
  return events.map((event) => (event.type === type ? event.text : '')).join('');
}

/** Returns the error a stream ended with. Fails unless exactly one `error` event comes last. */
function streamError(events: StreamEvent[]): ProviderError {
  const terminal = events.filter((event) => event.type === 'error' || event.type === 'finish');
  assert.equal(terminal.length, 1, `expected one terminal event, got ${JSON.stringify(terminal)}`);
  const last = events[events.length - 1];
  assert.equal(last?.type, 'error');
  return last.error;
}

function lastBody(server: FakeOpenAiServer): Record<string, unknown> {
  const last = server.requests[server.requests.length - 1];
  assert.ok(last !== undefined, 'the server received no request');
  return last.body as Record<string, unknown>;
}

async function withServer(
  options: FakeOpenAiOptions,
  run: (server: FakeOpenAiServer) => Promise<void>,
): Promise<void> {
  const server = await startFakeOpenAiServer(options);
  try {
    await run(server);
  } finally {
    await server.close();
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

const HISTORY: ChatTurn[] = [
  { role: 'user', content: 'What is 2+2?' },
  { role: 'assistant', content: '4', reasoning: 'Add two and two.' },
  { role: 'user', content: 'And 3+3?' },
];

describe('OpenAiClient listModels', () => {
  let server: FakeOpenAiServer;

  before(async () => {
    server = await startFakeOpenAiServer();
  });

  after(async () => {
    await server.close();
  });

  test('lists models with types', async () => {
    const models = await clientFor(server).listModels();

    const byId = new Map(models.map((model) => [model.modelId, model]));
    assert.equal(byId.get('gpt-4o')?.type, 'vision');
    assert.deepEqual(byId.get('gpt-4o')?.capabilities, ['chat', 'vision']);
    assert.equal(byId.get('o3-mini')?.type, 'reasoning');
    assert.deepEqual(byId.get('gpt-5')?.capabilities, ['chat', 'reasoning', 'vision']);
    assert.equal(byId.get('text-embedding-3-small')?.type, 'embedding');
    assert.equal(byId.get('deepseek-reasoner')?.type, 'reasoning');
    assert.equal(byId.get('kimi-k2-thinking')?.type, 'reasoning');
    assert.equal(byId.get('meta-llama/Llama-3.1-8B-Instruct')?.type, 'chat');
    assert.equal(byId.has('whisper-1'), false);
  });

  test('reads context length where sent', async () => {
    const models = await clientFor(server).listModels();

    const byId = new Map(models.map((model) => [model.modelId, model]));
    assert.equal(byId.get('Qwen/Qwen2.5-VL-7B-Instruct')?.contextLength, 32768);
    assert.equal(byId.get('Qwen/Qwen2.5-VL-7B-Instruct')?.type, 'vision');
    assert.equal(byId.get('qwen/qwq-32b')?.contextLength, 131072);
    assert.equal(byId.get('qwen/qwq-32b')?.displayName, 'Qwen: QwQ 32B');
    assert.equal(byId.get('qwen/qwq-32b')?.type, 'reasoning');
    assert.equal(byId.get('gpt-4o')?.contextLength, null);
  });

  test('sends GET /models with the key', async () => {
    await clientFor(server).listModels();

    const last = server.requests[server.requests.length - 1];
    assert.equal(last?.method, 'GET');
    assert.equal(last?.path, '/v1/models');
    assert.equal(last?.headers.authorization, `Bearer ${server.apiKey}`);
  });

  test('wrong key is an auth error', async () => {
    const client = clientFor(server, { apiKey: 'sk-wrong-key-1234567890' });

    await assert.rejects(client.listModels(), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.code, 'auth');
      assert.equal(error.details.status, 401);
      assert.match(error.details.providerMessage ?? '', /Incorrect API key provided/);
      assert.match(error.message, /rejected the API key/);
      return true;
    });
  });

  test('OpenRouter modalities and parameters set the type', () => {
    const models = listedModels({
      data: [
        {
          id: 'acme/seer-1',
          architecture: { input_modalities: ['text', 'image'] },
          supported_parameters: ['max_tokens'],
        },
        { id: 'acme/ponder-1', supported_parameters: ['reasoning', 'max_tokens'] },
      ],
    });

    assert.equal(models?.[0]?.type, 'vision');
    assert.equal(models?.[1]?.type, 'reasoning');
  });

  test('a body without data is no model list', () => {
    assert.equal(listedModels({ models: [] }), null);
    assert.equal(listedModels('<html></html>'), null);
  });
});

describe('OpenAiClient stream', () => {
  const answer = {
    reasoning: ['Two plus', ' two is four.'],
    content: ['The answer', ' is 4.'],
    usage: { promptTokens: 12, completionTokens: 30, reasoningTokens: 20 },
  };

  for (const reasoningField of ['reasoning_content', 'reasoning', 'both'] as const) {
    test(`reads reasoning from ${reasoningField}`, async () => {
      await withServer({ profile: 'compatible', reasoningField }, async (server) => {
        server.answerWith(answer);

        const events = await collect(clientFor(server).stream(chatRequest()));

        assert.equal(textOf(events, 'reasoning'), 'Two plus two is four.');
        assert.equal(textOf(events, 'content'), 'The answer is 4.');
      });
    });
  }

  test('reasoning comes before content', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      server.answerWith(answer);

      const events = await collect(clientFor(server).stream(chatRequest()));

      const firstContent = events.findIndex((event) => event.type === 'content');
      const lastReasoning = events.findLastIndex((event) => event.type === 'reasoning');
      assert.ok(lastReasoning < firstContent);
    });
  });

  test('splits inline think tags', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      server.answerWith({ content: ['<th', 'ink>Add them.</thi', 'nk>', 'It is 4.'] });

      const events = await collect(clientFor(server).stream(chatRequest()));

      assert.equal(textOf(events, 'reasoning'), 'Add them.');
      assert.equal(textOf(events, 'content'), 'It is 4.');
    });
  });

  test('ends with usage and finish', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      server.answerWith(answer);

      const events = await collect(clientFor(server).stream(chatRequest()));

      assert.deepEqual(events.slice(-2), [
        { type: 'usage', usage: { promptTokens: 12, completionTokens: 30, reasoningTokens: 20 } },
        { type: 'finish', reason: 'stop', providerReason: 'stop' },
      ]);
    });
  });

  test('asks for a stream with usage', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      await collect(clientFor(server).stream(chatRequest()));

      const body = lastBody(server);
      assert.equal(body.stream, true);
      assert.deepEqual(body.stream_options, { include_usage: true });
    });
  });

  test('normalises the finish reason', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      server.answerWith({ content: ['Cut'], finishReason: 'length' });

      const events = await collect(clientFor(server).stream(chatRequest()));

      assert.deepEqual(events[events.length - 1], {
        type: 'finish',
        reason: 'length',
        providerReason: 'length',
      });
    });
  });
});

describe('OpenAiClient complete', () => {
  test('returns the whole answer', async () => {
    await withServer({ profile: 'openai' }, async (server) => {
      server.answerWith({
        reasoning: ['Add', ' them.'],
        content: ['It is', ' 4.'],
        usage: { promptTokens: 9, completionTokens: 14, reasoningTokens: 8 },
      });

      const completion = await clientFor(server, { kind: 'openai' }).complete(chatRequest());

      assert.equal(completion.content, 'It is 4.');
      assert.equal(completion.reasoning, 'Add them.');
      assert.deepEqual(completion.usage, {
        promptTokens: 9,
        completionTokens: 14,
        reasoningTokens: 8,
      });
      assert.equal(completion.finishReason, 'stop');
      assert.equal(lastBody(server).stream, false);
    });
  });

  test('splits inline think tags', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      server.answerWith({ content: ['<think>Add them.</think>It is 4.'] });

      const completion = await clientFor(server).complete(chatRequest());

      assert.equal(completion.reasoning, 'Add them.');
      assert.equal(completion.content, 'It is 4.');
    });
  });
});

describe('OpenAiClient request parameters', () => {
  const effortParams = {
    temperature: 0.7,
    maxTokens: 256,
    topP: 0.9,
    topK: 40,
    reasoning: { effort: 'high' as const },
  };

  test('system prompt is the first message', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      await clientFor(server).complete(chatRequest({ system: 'Answer briefly.' }));

      const messages = lastBody(server).messages as unknown[];
      assert.deepEqual(messages[0], { role: 'system', content: 'Answer briefly.' });
      assert.deepEqual(messages[1], { role: 'user', content: 'What is 2+2?' });
    });
  });

  test('OpenAI reasoning model gets its own parameters', async () => {
    await withServer({ profile: 'openai' }, async (server) => {
      const client = clientFor(server, { kind: 'openai' });

      await collect(
        client.stream(chatRequest({ model: 'o3-mini', system: 'Be exact.', params: effortParams })),
      );

      const body = lastBody(server);
      assert.deepEqual((body.messages as unknown[])[0], {
        role: 'developer',
        content: 'Be exact.',
      });
      assert.equal(body.max_completion_tokens, 256);
      assert.equal(body.reasoning_effort, 'high');
      assert.equal('max_tokens' in body, false);
      assert.equal('temperature' in body, false);
      assert.equal('top_p' in body, false);
      assert.equal('top_k' in body, false);
    });
  });

  test('OpenAI chat model keeps sampling parameters', async () => {
    await withServer({ profile: 'openai' }, async (server) => {
      const client = clientFor(server, { kind: 'openai' });

      const events = await collect(
        client.stream(chatRequest({ system: 'Be exact.', params: effortParams })),
      );

      assert.equal(events[events.length - 1]?.type, 'finish');
      const body = lastBody(server);
      assert.deepEqual((body.messages as unknown[])[0], { role: 'system', content: 'Be exact.' });
      assert.equal(body.temperature, 0.7);
      assert.equal(body.top_p, 0.9);
      assert.equal(body.max_completion_tokens, 256);
      assert.equal('reasoning_effort' in body, false);
      assert.equal('top_k' in body, false);
    });
  });

  test('compatible server gets max_tokens and top_k', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      await clientFor(server).complete(chatRequest({ params: effortParams }));

      const body = lastBody(server);
      assert.equal(body.max_tokens, 256);
      assert.equal(body.top_k, 40);
      assert.equal(body.temperature, 0.7);
      assert.equal('reasoning_effort' in body, false);
    });
  });

  test('top_k 0 is left to the server', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      await clientFor(server).complete(chatRequest());

      assert.equal('top_k' in lastBody(server), false);
    });
  });

  test('OpenRouter gets a reasoning object', () => {
    const openRouter = profileFor({
      kind: 'openai-compatible',
      baseUrl: 'https://openrouter.ai/api/v1',
      apiKey: null,
      headers: {},
    });

    const withEffort = buildChatBody(openRouter, chatRequest({ params: effortParams }));
    const withBudget = buildChatBody(
      openRouter,
      chatRequest({ params: { ...effortParams, reasoning: { budgetTokens: 2000 } } }),
    );

    assert.deepEqual(withEffort.reasoning, { effort: 'high' });
    assert.deepEqual(withBudget.reasoning, { max_tokens: 2000 });
    assert.equal(withEffort.top_k, 40);
  });

  test('no key sends no Authorization header', async () => {
    await withServer({ profile: 'compatible', requireKey: false }, async (server) => {
      const client = clientFor(server, { apiKey: null, headers: { 'X-Team': 'ml' } });

      await client.complete(chatRequest());

      const headers = server.requests[server.requests.length - 1]?.headers;
      assert.equal(headers?.authorization, undefined);
      assert.equal(headers?.['x-team'], 'ml');
    });
  });
});

describe('OpenAiClient history', () => {
  const historyRequest = (model: string) => chatRequest({ model, messages: HISTORY });

  const assistantTurn = (server: FakeOpenAiServer) =>
    (lastBody(server).messages as Record<string, unknown>[])[1];

  test('OpenAI gets no reasoning fields', async () => {
    await withServer({ profile: 'openai' }, async (server) => {
      const completion = await clientFor(server, { kind: 'openai' }).complete(
        historyRequest('gpt-4o'),
      );

      assert.equal(completion.content, 'Hello there.');
      assert.deepEqual(assistantTurn(server), { role: 'assistant', content: '4' });
    });
  });

  test('DeepSeek gets no reasoning_content', async () => {
    await withServer({ profile: 'deepseek' }, async (server) => {
      const client = clientFor(server, { reasoningHistory: 'omit' });

      const completion = await client.complete(historyRequest('deepseek-reasoner'));

      assert.equal(completion.content, 'Hello there.');
      assert.deepEqual(assistantTurn(server), { role: 'assistant', content: '4' });
    });
  });

  test('DeepSeek rejects reasoning_content', async () => {
    await withServer({ profile: 'deepseek' }, async (server) => {
      const client = clientFor(server, { reasoningHistory: 'reasoning_content' });

      const events = await collect(client.stream(historyRequest('deepseek-reasoner')));

      const error = streamError(events);
      assert.equal(error.code, 'bad_request');
      assert.equal(error.details.status, 400);
      assert.match(error.details.providerMessage ?? '', /reasoning_content/);
      assert.match(error.message, /rejected the request \(HTTP 400\)/);
    });
  });

  test('Moonshot keeps reasoning_content', async () => {
    await withServer({ profile: 'moonshot' }, async (server) => {
      const client = clientFor(server, { reasoningHistory: 'reasoning_content' });
      const messages: ChatTurn[] = [...HISTORY, { role: 'assistant', content: '6' }, HISTORY[2]!];

      await client.complete(chatRequest({ model: 'kimi-k2-thinking', messages }));

      const sent = lastBody(server).messages as Record<string, unknown>[];
      assert.equal(sent[1]?.reasoning_content, 'Add two and two.');
      assert.equal(sent[3]?.reasoning_content, '');
    });
  });

  test('Moonshot rejects turns without reasoning', async () => {
    await withServer({ profile: 'moonshot' }, async (server) => {
      const client = clientFor(server, { reasoningHistory: 'omit' });

      await assert.rejects(client.complete(historyRequest('kimi-k2-thinking')), {
        code: 'bad_request',
      });
    });
  });

  test('OpenRouter keeps reasoning', async () => {
    await withServer({ profile: 'openrouter' }, async (server) => {
      const client = clientFor(server, { reasoningHistory: 'reasoning' });

      await client.complete(historyRequest('qwen/qwq-32b'));

      assert.equal(assistantTurn(server)?.reasoning, 'Add two and two.');
      assert.equal('reasoning_content' in (assistantTurn(server) ?? {}), false);
    });
  });

  test('OpenRouter rejects reasoning_content instead', async () => {
    await withServer({ profile: 'openrouter' }, async (server) => {
      const client = clientFor(server, { reasoningHistory: 'reasoning_content' });

      await assert.rejects(client.complete(historyRequest('qwen/qwq-32b')), {
        code: 'bad_request',
      });
    });
  });

  test('plain compatible server gets no reasoning fields', async () => {
    await withServer({ profile: 'compatible' }, async (server) => {
      await clientFor(server).complete(historyRequest('meta-llama/Llama-3.1-8B-Instruct'));

      assert.deepEqual(assistantTurn(server), { role: 'assistant', content: '4' });
    });
  });

  test('profile follows the base URL host', () => {
    const cases: [ProviderConnection['kind'], string, string, string][] = [
      ['openai', 'https://api.openai.com/v1', 'openai', 'omit'],
      ['openai', 'https://gateway.example.com/v1', 'openai', 'omit'],
      ['openai-compatible', 'https://api.deepseek.com/v1', 'deepseek', 'omit'],
      ['openai-compatible', 'https://api.moonshot.ai/v1', 'moonshot', 'reasoning_content'],
      ['openai-compatible', 'https://api.moonshot.cn/v1', 'moonshot', 'reasoning_content'],
      ['openai-compatible', 'https://openrouter.ai/api/v1', 'openrouter', 'reasoning'],
      [
        'openai-compatible',
        'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
        'dashscope',
        'omit',
      ],
      ['openai-compatible', 'http://127.0.0.1:8000/v1', 'compatible', 'omit'],
    ];
    for (const [kind, baseUrl, name, history] of cases) {
      const profile = profileFor({ kind, baseUrl, apiKey: null, headers: {} });

      assert.equal(profile.name, name, baseUrl);
      assert.equal(profile.reasoningHistory, history, baseUrl);
    }
  });

  test('override replaces the inferred history field', () => {
    const profile = profileFor({
      kind: 'openai-compatible',
      baseUrl: 'https://api.deepseek.com/v1',
      apiKey: null,
      headers: {},
      reasoningHistory: 'reasoning_content',
    });

    assert.equal(profile.reasoningHistory, 'reasoning_content');
  });
});

describe('OpenAiClient faults', () => {
  let server: FakeOpenAiServer;

  before(async () => {
    server = await startFakeOpenAiServer({ profile: 'compatible' });
  });

  after(async () => {
    await server.close();
  });

  test('unauthorized is auth', async () => {
    server.failNext({ kind: 'unauthorized' });

    const error = streamError(await collect(clientFor(server).stream(chatRequest())));

    assert.equal(error.code, 'auth');
    assert.equal(error.details.status, 401);
    assert.match(error.details.providerMessage ?? '', /Incorrect API key provided/);
  });

  test('rate limit carries Retry-After', async () => {
    server.failNext({ kind: 'rate_limited', retryAfterSeconds: 7 });
    const before = server.requests.length;

    const error = streamError(await collect(clientFor(server).stream(chatRequest())));

    assert.equal(error.code, 'rate_limited');
    assert.equal(error.details.retryAfterMs, 7000);
    assert.match(error.message, /wait 7 s/);
    assert.match(error.details.providerMessage ?? '', /Rate limit reached/);
    assert.equal(server.requests.length - before, 1, 'the SDK retried on its own');
  });

  test('500 is a server error', async () => {
    server.failNext({ kind: 'server_error' });
    const before = server.requests.length;

    await assert.rejects(clientFor(server).complete(chatRequest()), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.code, 'server');
      assert.equal(error.details.status, 500);
      assert.match(error.message, /failed with HTTP 500/);
      return true;
    });
    assert.equal(server.requests.length - before, 1, 'the SDK retried on its own');
  });

  test('unknown model is not found', async () => {
    const error = streamError(
      await collect(clientFor(server).stream(chatRequest({ model: 'gpt-nope' }))),
    );

    assert.equal(error.code, 'not_found');
    assert.match(error.message, /"gpt-nope"/);
    assert.match(error.details.providerMessage ?? '', /does not exist/);
  });

  test('malformed chunk is malformed', async () => {
    server.failNext({ kind: 'malformed_chunk', afterChunks: 2 });

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.equal(streamError(events).code, 'malformed');
    assert.match(streamError(events).message, /partway through the answer/);
    assert.doesNotMatch(streamError(events).message, /base URL/);
    assert.equal(textOf(events, 'content'), 'Hello');
  });

  test('malformed body is malformed', async () => {
    server.failNext({ kind: 'malformed_chunk', afterChunks: 0 });

    await assert.rejects(clientFor(server).complete(chatRequest()), { code: 'malformed' });
  });

  test('drop mid-stream is dropped', async () => {
    server.failNext({ kind: 'drop_mid_stream', afterChunks: 2 });

    const events = await collect(clientFor(server).stream(chatRequest()));

    const error = streamError(events);
    assert.equal(error.code, 'dropped');
    assert.match(error.message, /closed before the response finished/);
    assert.equal(textOf(events, 'content'), 'Hello');
  });

  test('stream closed without finish is dropped', async () => {
    const chunk = { choices: [{ index: 0, delta: { content: 'Hel' }, finish_reason: null }] };
    const cut = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(`data: ${JSON.stringify(chunk)}\n\n`);
    });
    await new Promise<void>((resolve) => cut.listen(0, '127.0.0.1', resolve));
    const { port } = cut.address() as net.AddressInfo;
    const client = new OpenAiClient(
      {
        kind: 'openai-compatible',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: 'k',
        headers: {},
      },
      TIMEOUTS,
    );

    try {
      const events = await collect(client.stream(chatRequest()));

      assert.equal(streamError(events).code, 'dropped');
      assert.equal(textOf(events, 'content'), 'Hel');
    } finally {
      cut.closeAllConnections();
      cut.close();
    }
  });

  test('page instead of a stream is malformed', async () => {
    const page = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html><body>Welcome</body></html>');
    });
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    const { port } = page.address() as net.AddressInfo;
    const client = new OpenAiClient(
      {
        kind: 'openai-compatible',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: 'k',
        headers: {},
      },
      TIMEOUTS,
    );

    try {
      const error = streamError(await collect(client.stream(chatRequest())));
      await assert.rejects(client.listModels(), { code: 'malformed' });

      assert.equal(error.code, 'malformed');
      assert.match(error.message, /check that the base URL points to the API/);
    } finally {
      page.closeAllConnections();
      page.close();
    }
  });

  test('stalled stream times out', async () => {
    server.failNext({ kind: 'stall' });
    const start = Date.now();

    const error = streamError(await collect(clientFor(server).stream(chatRequest())));

    assert.equal(error.code, 'timeout');
    assert.match(error.message, /sent nothing for 500 ms/);
    assert.ok(Date.now() - start < 1500, `took ${Date.now() - start} ms`);
    assert.ok(await waitFor(() => server.openStreams === 0, 1000), 'the request stayed open');
  });

  test('stalled body times out', async () => {
    server.failNext({ kind: 'stall' });
    const client = clientFor(server, {}, { requestMs: 600, idleMs: 500 });
    const start = Date.now();

    await assert.rejects(client.complete(chatRequest()), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.code, 'timeout');
      assert.match(error.message, /within 600 ms/);
      return true;
    });
    assert.ok(Date.now() - start < 1500, `took ${Date.now() - start} ms`);
  });

  test('slow first token with keep-alives succeeds', async () => {
    server.failNext({ kind: 'slow_first_token', delayMs: 900, keepAliveMs: 150 });

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.equal(textOf(events, 'content'), 'Hello there.');
    assert.equal(events[events.length - 1]?.type, 'finish');
  });

  test('slow first token without keep-alives times out', async () => {
    server.failNext({ kind: 'slow_first_token', delayMs: 900, keepAliveMs: 5000 });

    const error = streamError(await collect(clientFor(server).stream(chatRequest())));

    assert.equal(error.code, 'timeout');
  });

  test('missing headers time out', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const client = new OpenAiClient(
      {
        kind: 'openai-compatible',
        baseUrl: `http://127.0.0.1:${port}/v1`,
        apiKey: 'k',
        headers: {},
      },
      { requestMs: 300, idleMs: 500 },
    );

    try {
      const error = streamError(await collect(client.stream(chatRequest())));

      assert.equal(error.code, 'timeout');
      assert.match(error.message, /did not respond within 300 ms/);
    } finally {
      silent.close();
      await new Promise((resolve) => setImmediate(resolve));
    }
  });

  test('refused connection is unreachable', async () => {
    const closed = await startFakeOpenAiServer();
    await closed.close();

    const error = streamError(await collect(clientFor(closed).stream(chatRequest())));

    assert.equal(error.code, 'unreachable');
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('TLS to a plain HTTP server is tls', async () => {
    const client = clientFor(server, { baseUrl: server.baseUrl.replace('http:', 'https:') });

    await assert.rejects(client.listModels(), (error: unknown) => {
      assert.ok(error instanceof ProviderError);
      assert.equal(error.code, 'tls');
      assert.match(error.message, /TLS connection/);
      return true;
    });
  });
});

describe('OpenAiClient abort', () => {
  let server: FakeOpenAiServer;

  before(async () => {
    server = await startFakeOpenAiServer({ profile: 'compatible' });
    server.answerWith({
      content: Array.from({ length: 40 }, (_, i) => `word${i} `),
      chunkDelayMs: 50,
    });
  });

  after(async () => {
    await server.close();
  });

  test('abort mid-stream ends it promptly', async () => {
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    let abortedAt = 0;

    for await (const event of clientFor(server).stream(
      chatRequest({ signal: controller.signal }),
    )) {
      events.push(event);
      if (event.type === 'content' && abortedAt === 0) {
        abortedAt = Date.now();
        controller.abort();
      }
    }

    const error = streamError(events);
    assert.equal(error.code, 'aborted');
    assert.ok(Date.now() - abortedAt < 500, `took ${Date.now() - abortedAt} ms`);
    assert.ok(textOf(events, 'content').length < 40, 'the whole answer arrived');
    assert.ok(await waitFor(() => server.openStreams === 0, 1000), 'the request stayed open');
  });

  test('abort before the call is aborted', async () => {
    const signal = AbortSignal.abort();

    const error = streamError(await collect(clientFor(server).stream(chatRequest({ signal }))));
    await assert.rejects(clientFor(server).complete(chatRequest({ signal })), {
      code: 'aborted',
    });

    assert.equal(error.code, 'aborted');
  });

  test('leaving the loop closes the request', async () => {
    for await (const event of clientFor(server).stream(chatRequest())) {
      if (event.type === 'content') {
        break;
      }
    }

    assert.ok(await waitFor(() => server.openStreams === 0, 1000), 'the request stayed open');
  });
});

describe('OpenAiClient settings', () => {
  test('invalid base URL is named', () => {
    assert.throws(
      () =>
        new OpenAiClient(
          { kind: 'openai-compatible', baseUrl: 'localhost:8000', apiKey: null, headers: {} },
          TIMEOUTS,
        ),
      /Base URL "localhost:8000" must start with http:\/\/ or https:\/\//,
    );
  });

  test('unparsable base URL is named', () => {
    assert.throws(
      () =>
        new OpenAiClient(
          { kind: 'openai-compatible', baseUrl: 'not a url', apiKey: null, headers: {} },
          TIMEOUTS,
        ),
      /Base URL "not a url" is not a URL/,
    );
  });

  test('invalid timeout is named', () => {
    assert.throws(
      () =>
        new OpenAiClient(
          { kind: 'openai', baseUrl: 'https://api.openai.com/v1', apiKey: null, headers: {} },
          { requestMs: 0, idleMs: 500 },
        ),
      /Timeout requestMs must be a whole number of milliseconds above 0, not 0/,
    );
  });
});

describe('OpenAiClient.stream event limit', () => {
  test('event that never ends stops as too_large', async () => {
    // 9 MiB of one event, more than the 8 Mi character limit.
    const server = await startEndlessBodyServer(
      'text/event-stream',
      'data: {"choices":[{"delta":{"content":"',
    );
    try {
      const client = new OpenAiClient(
        { kind: 'openai', baseUrl: `${server.url}/v1`, apiKey: 'key', headers: {} },
        TIMEOUTS,
      );

      const events = await collect(client.stream(chatRequest()));

      const last = events.at(-1);
      assert.equal(last?.type, 'error');
      assert.equal(last.type === 'error' ? last.error.code : null, 'too_large');
    } finally {
      await server.close();
    }
  });
});
