import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  startFakeOllamaServer,
  type FakeOllamaFault,
  type FakeOllamaServer,
} from '../../testing/fakeProviders/ollama.js';
import { startEndlessBodyServer } from '../../testing/largeBody.js';
import { OllamaClient } from './ollama.js';
import {
  ProviderError,
  type ClientTimeouts,
  type CompletionRequest,
  type ProviderConnection,
  type StreamEvent,
} from './types.js';

const TIMEOUTS: ClientTimeouts = { requestMs: 2000, idleMs: 500 };
/** Fails a test that hangs, for the tests of time limits and aborts. */
const HANG_LIMIT = { timeout: 5000 };

function clientFor(
  server: FakeOllamaServer,
  connection: Partial<ProviderConnection> = {},
  timeouts: ClientTimeouts = TIMEOUTS,
): OllamaClient {
  return new OllamaClient(
    { kind: 'ollama', baseUrl: server.baseUrl, apiKey: null, headers: {}, ...connection },
    timeouts,
  );
}

function chatRequest(overrides: Partial<CompletionRequest> = {}): CompletionRequest {
  return {
    model: 'qwen3:8b',
    system: null,
    messages: [{ role: 'user', content: 'What is 2 + 2?' }],
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

function textOf(events: StreamEvent[], type: 'content' | 'reasoning'): string {
  return events.map((event) => (event.type === type ? event.text : '')).join('');
}

/** Checks that the stream ended with exactly one error event and returns its error. */
function streamError(events: StreamEvent[]): ProviderError {
  const terminal = events.filter((event) => event.type === 'finish' || event.type === 'error');
  assert.equal(terminal.length, 1, `expected one finish or error event: ${JSON.stringify(events)}`);
  const last = events.at(-1);
  assert.equal(
    last?.type,
    'error',
    `expected the stream to end with an error: ${JSON.stringify(events)}`,
  );
  return last.error;
}

/** Returns the body of the last chat request the server received. */
function lastChatBody(server: FakeOllamaServer): Record<string, unknown> {
  const request = server.requests.filter((recorded) => recorded.path === '/api/chat').at(-1);
  assert.ok(request, 'the server received no chat request');
  return request.body as Record<string, unknown>;
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}

/** Finds a port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OllamaClient.listModels', () => {
  let server: FakeOllamaServer;

  before(async () => {
    server = await startFakeOllamaServer();
  });

  after(async () => {
    await server.close();
  });

  test('lists types, capabilities and context length', async () => {
    const models = await clientFor(server).listModels();

    // Ollama's words completion and thinking come back as chat and reasoning.
    assert.deepEqual(models, [
      {
        modelId: 'llama3.2:latest',
        displayName: 'llama3.2',
        type: 'chat',
        capabilities: ['chat', 'tools'],
        contextLength: 131072,
      },
      {
        modelId: 'qwen3:8b',
        displayName: 'qwen3:8b',
        type: 'reasoning',
        capabilities: ['chat', 'tools', 'reasoning'],
        contextLength: 40960,
      },
      {
        modelId: 'llava:7b',
        displayName: 'llava:7b',
        type: 'vision',
        capabilities: ['chat', 'vision'],
        contextLength: 32768,
      },
      {
        modelId: 'nomic-embed-text:latest',
        displayName: 'nomic-embed-text',
        type: 'embedding',
        capabilities: ['embedding'],
        contextLength: 2048,
      },
      {
        modelId: 'gpt-oss:20b',
        displayName: 'gpt-oss:20b',
        type: 'reasoning',
        capabilities: ['chat', 'tools', 'reasoning'],
        contextLength: 131072,
      },
    ]);
    const shows = server.requests.filter((request) => request.path === '/api/show');
    assert.deepEqual(
      shows.map((request) => (request.body as { model: string }).model).sort(),
      models.map((model) => model.modelId).sort(),
    );
  });

  test('lists a model whose show fails', async () => {
    const broken = await startFakeOllamaServer({
      models: [
        {
          name: 'phi4:14b',
          capabilities: ['completion'],
          architecture: 'phi3',
          contextLength: 16384,
        },
        {
          name: 'mystery:1b',
          capabilities: ['completion'],
          architecture: 'llama',
          showFails: true,
        },
      ],
    });
    try {
      const models = await clientFor(broken).listModels();

      assert.equal(models.length, 2);
      assert.equal(models[0]?.contextLength, 16384);
      assert.deepEqual(models[1], {
        modelId: 'mystery:1b',
        displayName: 'mystery:1b',
        type: 'chat',
        capabilities: ['chat'],
        contextLength: null,
      });
    } finally {
      await broken.close();
    }
  });

  test('sends the key and custom headers', async () => {
    const guarded = await startFakeOllamaServer({ apiKey: 'proxy-token-123' });
    try {
      const client = clientFor(guarded, {
        apiKey: 'proxy-token-123',
        headers: { 'X-Team': 'research' },
      });
      const models = await client.listModels();

      assert.equal(models.length, 5);
      const tags = guarded.requests[0];
      assert.equal(tags?.headers.authorization, 'Bearer proxy-token-123');
      assert.equal(tags?.headers['x-team'], 'research');
    } finally {
      await guarded.close();
    }
  });

  test('reports a missing proxy key as auth', async () => {
    const guarded = await startFakeOllamaServer({ apiKey: 'proxy-token-123' });
    try {
      const failure = await clientFor(guarded)
        .listModels()
        .catch((error: unknown) => error);

      assert.ok(failure instanceof ProviderError);
      assert.equal(failure.code, 'auth');
      assert.equal(failure.details.status, 401);
      assert.equal(failure.details.providerMessage, 'unauthorized');
      assert.match(failure.message, /HTTP 401.*reverse proxy/);
    } finally {
      await guarded.close();
    }
  });

  test('reports a wrong base URL as not_found', async () => {
    const client = clientFor(server, { baseUrl: `${server.baseUrl}/v1` });
    const failure = await client.listModels().catch((error: unknown) => error);

    assert.ok(failure instanceof ProviderError);
    assert.equal(failure.code, 'not_found');
    assert.match(failure.message, /has no Ollama API \(HTTP 404\); set the base URL/);
  });

  test('reports a closed port as unreachable', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const failure = await clientFor(server, { baseUrl })
      .listModels()
      .catch((error: unknown) => error);

    assert.ok(failure instanceof ProviderError);
    assert.equal(failure.code, 'unreachable');
    assert.match(failure.message, /Could not connect to Ollama at .* \(ECONNREFUSED\)/);
  });

  test('reports a TLS failure as tls', async () => {
    const baseUrl = server.baseUrl.replace('http://', 'https://');
    const failure = await clientFor(server, { baseUrl })
      .listModels()
      .catch((error: unknown) => error);

    assert.ok(failure instanceof ProviderError);
    assert.equal(failure.code, 'tls');
    assert.match(failure.message, /TLS connection .* failed \((?:ERR_SSL_\w+|EPROTO)\)/);
  });
});

describe('OllamaClient.stream', () => {
  let server: FakeOllamaServer;

  before(async () => {
    server = await startFakeOllamaServer();
  });

  after(async () => {
    await server.close();
  });

  beforeEach(() => {
    server.answerWith({
      reasoning: ['Two plus two ', 'is four.'],
      content: ['The answer', ' is 4.'],
      usage: { promptTokens: 14, completionTokens: 9 },
      finishReason: 'stop',
    });
  });

  test('streams thinking, content, usage and finish', async () => {
    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.deepEqual(events, [
      { type: 'reasoning', text: 'Two plus two ' },
      { type: 'reasoning', text: 'is four.' },
      { type: 'content', text: 'The answer' },
      { type: 'content', text: ' is 4.' },
      { type: 'usage', usage: { promptTokens: 14, completionTokens: 9, reasoningTokens: 0 } },
      { type: 'finish', reason: 'stop', providerReason: 'stop' },
    ]);
    assert.equal(lastChatBody(server).stream, true);
  });

  test('splits inline think tags out of content', async () => {
    server.answerWith({ content: ['<thi', 'nk>Count the ', 'apples.</th', 'ink>There are 3.'] });

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.equal(textOf(events, 'reasoning'), 'Count the apples.');
    assert.equal(textOf(events, 'content'), 'There are 3.');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop', providerReason: 'stop' });
  });

  test('keeps think tags as content after a thinking field', async () => {
    server.answerWith({ reasoning: ['Plan.'], content: ['Use <think> tags.'] });

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.equal(textOf(events, 'reasoning'), 'Plan.');
    assert.equal(textOf(events, 'content'), 'Use <think> tags.');
  });

  test('maps done_reason length to a length finish', async () => {
    server.answerWith({ content: ['Cut'], finishReason: 'length' });

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'length', providerReason: 'length' });
  });

  test('sends the system prompt first and maps options', async () => {
    const request = chatRequest({
      system: 'Answer in one line.',
      params: { temperature: 0.2, maxTokens: 512, topP: 0.8, topK: 40 },
    });

    await collect(clientFor(server).stream(request));

    const body = lastChatBody(server);
    assert.equal(body.model, 'qwen3:8b');
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Answer in one line.' },
      { role: 'user', content: 'What is 2 + 2?' },
    ]);
    assert.deepEqual(body.options, { temperature: 0.2, top_p: 0.8, num_predict: 512, top_k: 40 });
    assert.equal('think' in body, false);
  });

  test('leaves top_k out when it is 0', async () => {
    await collect(clientFor(server).stream(chatRequest()));

    assert.deepEqual(lastChatBody(server).options, {
      temperature: 0.7,
      top_p: 0.9,
      num_predict: 256,
    });
  });

  test('sends think true when reasoning is set', async () => {
    const params = { ...chatRequest().params, reasoning: { effort: 'high' as const } };

    await collect(clientFor(server).stream(chatRequest({ params })));

    assert.equal(lastChatBody(server).think, true);
  });

  test('sends gpt-oss its effort level', async () => {
    const cases = [
      { reasoning: { effort: 'high' as const }, think: 'high' },
      { reasoning: { effort: 'minimal' as const }, think: 'low' },
      { reasoning: { budgetTokens: 2048 }, think: 'medium' },
    ];
    for (const { reasoning, think } of cases) {
      const params = { ...chatRequest().params, reasoning };

      const events = await collect(
        clientFor(server).stream(chatRequest({ model: 'gpt-oss:20b', params })),
      );

      assert.equal(events.at(-1)?.type, 'finish');
      assert.equal(lastChatBody(server).think, think, JSON.stringify(reasoning));
    }
  });

  test('sends earlier reasoning in the thinking field', async () => {
    const request = chatRequest({
      messages: [
        { role: 'user', content: 'What is 2 + 2?' },
        { role: 'assistant', content: '4', reasoning: 'Add the numbers.' },
        {
          role: 'assistant',
          content: 'Still 4',
          reasoningBlocks: [{ type: 'thinking', text: 'Check.', signature: null }],
        },
        { role: 'user', content: 'And 3 + 3?' },
      ],
    });

    const events = await collect(clientFor(server).stream(request));

    assert.equal(events.at(-1)?.type, 'finish');
    assert.deepEqual(lastChatBody(server).messages, [
      { role: 'user', content: 'What is 2 + 2?' },
      { role: 'assistant', content: '4', thinking: 'Add the numbers.' },
      { role: 'assistant', content: 'Still 4', thinking: 'Check.' },
      { role: 'user', content: 'And 3 + 3?' },
    ]);
  });

  test('fake server rejects unknown message fields', async () => {
    const response = await fetch(`${server.baseUrl}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({
        model: 'qwen3:8b',
        messages: [{ role: 'assistant', content: '4', reasoning_content: 'Add.' }],
      }),
    });

    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), {
      error: 'invalid message 0: unknown field "reasoning_content"',
    });
  });

  test('reports an unknown model as not_found', async () => {
    const events = await collect(clientFor(server).stream(chatRequest({ model: 'llama9:70b' })));

    const error = streamError(events);
    assert.equal(error.code, 'not_found');
    assert.equal(error.details.status, 404);
    assert.match(error.message, /no model "llama9:70b".*ollama pull llama9:70b/);
  });

  const faultCases: {
    name: string;
    fault: FakeOllamaFault;
    code: ProviderError['code'];
    message: RegExp;
    contentBefore?: string;
    details?: Partial<ProviderError['details']>;
  }[] = [
    {
      name: 'unauthorized',
      fault: { kind: 'unauthorized' },
      code: 'auth',
      message: /rejected the request with HTTP 401: "unauthorized"/,
      details: { status: 401, providerMessage: 'unauthorized' },
    },
    {
      name: 'rate limit',
      fault: { kind: 'rate_limited', retryAfterSeconds: 7 },
      code: 'rate_limited',
      message: /rate limiting requests \(HTTP 429\); try again in 7 s/,
      details: { status: 429, retryAfterMs: 7000 },
    },
    {
      name: 'server error',
      fault: { kind: 'server_error' },
      code: 'server',
      message: /failed with HTTP 500: "the model runner stopped unexpectedly"/,
      details: { status: 500, providerMessage: 'the model runner stopped unexpectedly' },
    },
    {
      name: 'malformed line',
      fault: { kind: 'malformed_chunk', afterChunks: 3 },
      code: 'malformed',
      message: /could not be read \(line 4 is not JSON/,
      contentBefore: 'The answer',
    },
    {
      name: 'error line mid-stream',
      fault: { kind: 'error_line', afterChunks: 3, message: 'out of memory' },
      code: 'server',
      message: /failed in the middle of the answer: "out of memory"/,
      contentBefore: 'The answer',
      details: { providerMessage: 'out of memory' },
    },
    {
      name: 'dropped connection',
      fault: { kind: 'drop_mid_stream', afterChunks: 3 },
      code: 'dropped',
      message: /closed before the answer finished/,
    },
    {
      name: 'end without done line',
      fault: { kind: 'end_early', afterChunks: 3 },
      code: 'dropped',
      message: /closed before the answer finished/,
      contentBefore: 'The answer',
    },
    {
      name: 'stall',
      fault: { kind: 'stall' },
      code: 'timeout',
      message: /sent nothing for 500 ms in the middle of the answer/,
    },
    {
      name: 'first token slower than idleMs',
      fault: { kind: 'slow_first_token', delayMs: 1500, keepAliveMs: 100 },
      code: 'timeout',
      message: /sent nothing for 500 ms/,
    },
  ];

  for (const { name, fault, code, message, contentBefore, details } of faultCases) {
    test(`ends with ${code} on ${name}`, HANG_LIMIT, async () => {
      server.failNext(fault);
      const started = Date.now();

      const events = await collect(clientFor(server).stream(chatRequest()));

      const error = streamError(events);
      assert.ok(error instanceof ProviderError);
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
      if (contentBefore !== undefined) {
        assert.equal(textOf(events, 'content'), contentBefore);
      }
      for (const [key, value] of Object.entries(details ?? {})) {
        assert.equal(error.details[key as keyof ProviderError['details']], value, key);
      }
    });
  }

  test('closes the request after an idle timeout', HANG_LIMIT, async () => {
    server.failNext({ kind: 'stall' });
    const closedBefore = server.closedByClient;

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.equal(streamError(events).code, 'timeout');
    assert.ok(await waitUntil(() => server.closedByClient > closedBefore, 1000));
  });

  test('waits for a slow first token within idleMs', HANG_LIMIT, async () => {
    server.failNext({ kind: 'slow_first_token', delayMs: 300, keepAliveMs: 100 });

    const events = await collect(clientFor(server).stream(chatRequest()));

    assert.equal(textOf(events, 'content'), 'The answer is 4.');
    assert.equal(events.at(-1)?.type, 'finish');
  });

  test('ends with aborted on abort mid-stream', HANG_LIMIT, async () => {
    const slow = await startFakeOllamaServer({ chunkIntervalMs: 40 });
    try {
      slow.answerWith({ content: Array.from({ length: 50 }, (_, index) => `word${index} `) });
      const controller = new AbortController();
      const events: StreamEvent[] = [];
      let abortedAt = 0;

      for await (const event of clientFor(slow).stream(
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
      assert.match(error.message, /request for model "qwen3:8b" .* was aborted/);
      assert.ok(Date.now() - abortedAt < 200, `took ${Date.now() - abortedAt} ms after the abort`);
      assert.ok(textOf(events, 'content').length < 100);
      assert.ok(await waitUntil(() => slow.closedByClient === 1, 1000), 'request left open');
    } finally {
      await slow.close();
    }
  });

  test('ends with aborted on an aborted signal', HANG_LIMIT, async () => {
    const events = await collect(
      clientFor(server).stream(chatRequest({ signal: AbortSignal.abort() })),
    );

    assert.equal(streamError(events).code, 'aborted');
  });

  test('closes the request on an early break', HANG_LIMIT, async () => {
    const slow = await startFakeOllamaServer({ chunkIntervalMs: 40 });
    try {
      slow.answerWith({ content: Array.from({ length: 50 }, (_, index) => `word${index} `) });

      for await (const event of clientFor(slow).stream(chatRequest())) {
        if (event.type === 'content') {
          break;
        }
      }

      assert.ok(await waitUntil(() => slow.closedByClient === 1, 1000), 'request left open');
    } finally {
      await slow.close();
    }
  });
});

describe('OllamaClient.complete', () => {
  let server: FakeOllamaServer;

  before(async () => {
    server = await startFakeOllamaServer();
  });

  after(async () => {
    await server.close();
  });

  test('returns content, reasoning and usage', async () => {
    server.answerWith({
      reasoning: ['Two plus two ', 'is four.'],
      content: ['The answer', ' is 4.'],
      usage: { promptTokens: 14, completionTokens: 9 },
    });

    const completion = await clientFor(server).complete(chatRequest({ system: 'Be brief.' }));

    assert.deepEqual(completion, {
      content: 'The answer is 4.',
      reasoning: 'Two plus two is four.',
      reasoningBlocks: [],
      usage: { promptTokens: 14, completionTokens: 9, reasoningTokens: 0 },
      finishReason: 'stop',
      providerReason: 'stop',
    });
    const body = lastChatBody(server);
    assert.equal(body.stream, false);
    assert.deepEqual((body.messages as unknown[])[0], { role: 'system', content: 'Be brief.' });
  });

  test('splits inline think tags in a whole answer', async () => {
    server.answerWith({ content: ['<think>Add.</think>4'] });

    const completion = await clientFor(server).complete(chatRequest());

    assert.equal(completion.reasoning, 'Add.');
    assert.equal(completion.content, '4');
  });

  const failures: { fault: FakeOllamaFault; code: ProviderError['code'] }[] = [
    { fault: { kind: 'server_error' }, code: 'server' },
    { fault: { kind: 'rate_limited', retryAfterSeconds: 2 }, code: 'rate_limited' },
    { fault: { kind: 'malformed_chunk', afterChunks: 0 }, code: 'malformed' },
    { fault: { kind: 'drop_mid_stream', afterChunks: 0 }, code: 'dropped' },
  ];

  for (const { fault, code } of failures) {
    test(`rejects with ${code} on ${fault.kind}`, HANG_LIMIT, async () => {
      server.failNext(fault);

      const failure = await clientFor(server)
        .complete(chatRequest())
        .catch((error: unknown) => error);

      assert.ok(failure instanceof ProviderError, String(failure));
      assert.equal(failure.code, code);
    });
  }

  test('times out a stalled answer after requestMs', HANG_LIMIT, async () => {
    server.failNext({ kind: 'stall' });
    const started = Date.now();

    const failure = await clientFor(server, {}, { requestMs: 300, idleMs: 300 })
      .complete(chatRequest())
      .catch((error: unknown) => error);

    assert.ok(failure instanceof ProviderError);
    assert.equal(failure.code, 'timeout');
    assert.match(failure.message, /sent no response within 300 ms/);
    assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
  });

  test('rejects with aborted on abort', HANG_LIMIT, async () => {
    server.failNext({ kind: 'stall' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const failure = await clientFor(server)
      .complete(chatRequest({ signal: controller.signal }))
      .catch((error: unknown) => error);

    assert.ok(failure instanceof ProviderError);
    assert.equal(failure.code, 'aborted');
  });
});

describe('OllamaClient.stream line limit', () => {
  test('line that never ends stops as too_large', async () => {
    // 9 MiB of one line, more than the 8 Mi character limit.
    const server = await startEndlessBodyServer('application/x-ndjson', '{"message":{"content":"');
    try {
      const client = new OllamaClient(
        { kind: 'ollama', baseUrl: server.url, apiKey: null, headers: {} },
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
