import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../../testing/fakeProviders/anthropic.js';
import { startLoopbackServer } from '../../testing/largeBody.js';
import { AnthropicClient } from './anthropic.js';
import { collectStream } from './index.js';
import {
  ProviderError,
  type ChatTurn,
  type ClientTimeouts,
  type CompletionRequest,
  type GenerationParams,
  type ProviderConnection,
  type ProviderErrorCode,
  type StreamEvent,
} from './types.js';

const TIMEOUTS: ClientTimeouts = { requestMs: 2000, idleMs: 500 };
const SONNET = 'claude-sonnet-4-5-20250929';

let fake: FakeAnthropicServer;

before(async () => {
  fake = await startFakeAnthropicServer();
});

after(async () => {
  await fake.close();
});

function connection(overrides: Partial<ProviderConnection> = {}): ProviderConnection {
  return {
    kind: 'anthropic',
    baseUrl: fake.baseUrl,
    apiKey: fake.apiKey,
    headers: {},
    ...overrides,
  };
}

function client(overrides: Partial<ProviderConnection> = {}, timeouts = TIMEOUTS) {
  return new AnthropicClient(connection(overrides), timeouts);
}

/** A connection that pins the API version that still accepts sampling parameters. */
const SAMPLING_VERSION = { headers: { 'anthropic-version': '2023-06-01' } };

function request(
  params: Partial<GenerationParams> = {},
  overrides: Partial<CompletionRequest> = {},
): CompletionRequest {
  return {
    model: SONNET,
    messages: [{ role: 'user', content: 'Hi' }],
    params: { temperature: 0.7, maxTokens: 4096, topP: 0.9, topK: 0, ...params },
    ...overrides,
  };
}

async function collect(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const all: StreamEvent[] = [];
  for await (const event of events) {
    all.push(event);
  }
  const terminal = all.filter((event) => event.type === 'finish' || event.type === 'error');
  assert.equal(terminal.length, 1, 'a stream ends with exactly one finish or error');
  assert.equal(all.at(-1), terminal[0], 'finish or error comes last');
  return all;
}

/** Returns the error that ended a stream, and fails when the stream finished instead. */
async function streamError(events: AsyncIterable<StreamEvent>): Promise<ProviderError> {
  const last = (await collect(events)).at(-1);
  assert.equal(last?.type, 'error', `expected an error event, got ${JSON.stringify(last)}`);
  assert.ok(last.error instanceof ProviderError);
  return last.error;
}

function lastChatBody(): Record<string, unknown> {
  const chats = fake.requests.filter((recorded) => recorded.path === '/v1/messages');
  return chats.at(-1)?.body as Record<string, unknown>;
}

function chatCount(): number {
  return fake.requests.filter((recorded) => recorded.path === '/v1/messages').length;
}

describe('AnthropicClient models', () => {
  test('lists models across pages', async () => {
    const paged = await startFakeAnthropicServer({ pageSize: 2 });
    try {
      const models = await new AnthropicClient(
        { kind: 'anthropic', baseUrl: paged.baseUrl, apiKey: paged.apiKey, headers: {} },
        TIMEOUTS,
      ).listModels();

      assert.deepEqual(models, [
        {
          modelId: 'claude-sonnet-4-5-20250929',
          displayName: 'Claude Sonnet 4.5',
          type: 'reasoning',
          capabilities: ['chat', 'vision', 'reasoning'],
          contextLength: 200_000,
        },
        {
          modelId: 'claude-opus-4-1-20250805',
          displayName: 'Claude Opus 4.1',
          type: 'reasoning',
          capabilities: ['chat', 'vision', 'reasoning'],
          contextLength: 180_000,
        },
        {
          modelId: 'claude-3-7-sonnet-20250219',
          displayName: 'Claude Sonnet 3.7',
          type: 'reasoning',
          capabilities: ['chat', 'vision', 'reasoning'],
          contextLength: 200_000,
        },
        {
          modelId: 'claude-3-5-haiku-20241022',
          displayName: 'Claude Haiku 3.5',
          type: 'chat',
          capabilities: ['chat', 'vision'],
          contextLength: 200_000,
        },
        {
          modelId: 'claude-2.1',
          displayName: 'Claude 2.1',
          type: 'chat',
          capabilities: ['chat'],
          contextLength: null,
        },
      ]);
      const paths = paged.requests.map((recorded) => recorded.path);
      assert.deepEqual(paths, [
        '/v1/models?limit=100',
        '/v1/models?limit=100&after_id=claude-opus-4-1-20250805',
        '/v1/models?limit=100&after_id=claude-3-5-haiku-20241022',
      ]);
    } finally {
      await paged.close();
    }
  });

  test('listing with a rejected key throws auth', async () => {
    await assert.rejects(
      client({ apiKey: 'sk-ant-wrong' }).listModels(),
      (error: unknown) =>
        error instanceof ProviderError &&
        error.code === 'auth' &&
        error.details.status === 401 &&
        error.details.providerMessage === 'invalid x-api-key',
    );
  });
});

describe('AnthropicClient streaming', () => {
  test('streams signed thinking blocks', async () => {
    fake.answerWithBlocks({
      blocks: [
        { type: 'thinking', pieces: ['Let me ', 'think.'] },
        { type: 'thinking', pieces: ['Second ', 'thought.'] },
        { type: 'text', pieces: ['Hello', ' there'] },
      ],
      usage: { promptTokens: 21, completionTokens: 40, reasoningTokens: 25 },
    });

    const events = await collect(client().stream(request({ reasoning: { budgetTokens: 2048 } })));

    assert.deepEqual(events, [
      { type: 'reasoning', text: 'Let me ' },
      { type: 'reasoning', text: 'think.' },
      {
        type: 'reasoning-block',
        block: { type: 'thinking', text: 'Let me think.', signature: fake.sign('Let me think.') },
      },
      { type: 'reasoning', text: 'Second ' },
      { type: 'reasoning', text: 'thought.' },
      {
        type: 'reasoning-block',
        block: {
          type: 'thinking',
          text: 'Second thought.',
          signature: fake.sign('Second thought.'),
        },
      },
      { type: 'content', text: 'Hello' },
      { type: 'content', text: ' there' },
      { type: 'usage', usage: { promptTokens: 21, completionTokens: 40, reasoningTokens: 25 } },
      { type: 'finish', reason: 'stop', providerReason: 'end_turn' },
    ]);
  });

  test('redacted thinking gives data only', async () => {
    fake.answerWithBlocks({
      blocks: [{ type: 'redacted_thinking' }, { type: 'text', pieces: ['Safe answer'] }],
    });

    const events = await collect(client().stream(request({ reasoning: { budgetTokens: 2048 } })));

    assert.equal(
      events.some((event) => event.type === 'reasoning'),
      false,
    );
    const block = events.find((event) => event.type === 'reasoning-block');
    assert.ok(block?.type === 'reasoning-block');
    assert.ok(block.block.type === 'redacted');
    assert.match(block.block.data, /^[A-Za-z0-9+/=]{16,}$/);
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop', providerReason: 'end_turn' });
  });

  test('normalises max_tokens as length', async () => {
    fake.answerWithBlocks({
      blocks: [{ type: 'text', pieces: ['Cut'] }],
      stopReason: 'max_tokens',
    });

    const events = await collect(client().stream(request()));

    assert.deepEqual(events.at(-1), {
      type: 'finish',
      reason: 'length',
      providerReason: 'max_tokens',
    });
  });

  test('pings keep a slow stream alive', async () => {
    fake.answerWith({ content: ['Slow', ' but here'] });
    fake.failNext({ kind: 'slow_first_token', delayMs: 1000, keepAliveMs: 150 });

    const completion = await collectStream(client().stream(request()));

    assert.equal(completion.content, 'Slow but here');
  });
});

describe('AnthropicClient complete', () => {
  test('returns a whole message', async () => {
    fake.answerWithBlocks({
      blocks: [
        { type: 'thinking', pieces: ['Plan', ' it.'] },
        { type: 'redacted_thinking' },
        { type: 'text', pieces: ['Done', '.'] },
      ],
      usage: { promptTokens: 9, completionTokens: 30 },
    });

    const completion = await client().complete(request({ reasoning: { budgetTokens: 2048 } }));

    assert.equal(completion.content, 'Done.');
    assert.equal(completion.reasoning, 'Plan it.');
    assert.equal(completion.reasoningBlocks.length, 2);
    assert.deepEqual(completion.reasoningBlocks[0], {
      type: 'thinking',
      text: 'Plan it.',
      signature: fake.sign('Plan it.'),
    });
    assert.equal(completion.reasoningBlocks[1]?.type, 'redacted');
    assert.deepEqual(completion.usage, {
      promptTokens: 9,
      completionTokens: 30,
      reasoningTokens: 0,
    });
    assert.equal(completion.finishReason, 'stop');
    assert.equal(lastChatBody().stream, false);
  });

  test('times out a stalled body after requestMs', async () => {
    fake.failNext({ kind: 'stall' });
    const started = Date.now();

    await assert.rejects(
      client({}, { requestMs: 600, idleMs: 500 }).complete(request()),
      (error: unknown) =>
        error instanceof ProviderError && error.code === 'timeout' && /600 ms/.test(error.message),
    );
    assert.ok(Date.now() - started < 1500, 'gave up soon after requestMs');
  });
});

describe('AnthropicClient request mapping', () => {
  test('system prompt goes top level', async () => {
    fake.answerWith({ content: ['ok'] });

    await collectStream(client().stream(request({}, { system: 'Be brief.' })));

    const body = lastChatBody();
    assert.equal(body.system, 'Be brief.');
    assert.equal(body.max_tokens, 4096);
    assert.deepEqual(body.messages, [{ role: 'user', content: 'Hi' }]);
    assert.equal(body.stream, true);
    const headers = fake.requests.at(-1)?.headers ?? {};
    assert.equal(headers['anthropic-version'], '2026-10-21');
    assert.equal(headers.authorization, `Bearer ${fake.apiKey}`);
  });

  test('omits sampling on API 2026-10-21', async () => {
    fake.answerWith({ content: ['ok'] });

    await collectStream(client().stream(request({ temperature: 0.2, topK: 40 })));

    const body = lastChatBody();
    assert.equal('temperature' in body, false);
    assert.equal('top_p' in body, false);
    assert.equal('top_k' in body, false);
  });

  test('sends sampling to API version 2023-06-01', async () => {
    fake.answerWith({ content: ['ok'] });
    const legacy = client(SAMPLING_VERSION);

    await collectStream(
      legacy.stream(
        request({ temperature: 0.2, topK: 40 }, { model: 'claude-3-7-sonnet-20250219' }),
      ),
    );
    const older = lastChatBody();
    await collectStream(legacy.stream(request({ temperature: 0.2, topK: 40 })));
    const newer = lastChatBody();

    assert.equal(fake.requests.at(-1)?.headers['anthropic-version'], '2023-06-01');
    assert.equal(older.temperature, 0.2);
    assert.equal(older.top_p, 0.9);
    assert.equal(older.top_k, 40);
    assert.equal(newer.temperature, 0.2);
    assert.equal('top_p' in newer, false, 'Claude 4.5 rejects temperature with top_p');
    assert.equal(newer.top_k, 40);
  });

  test('drops temperature and top_k while thinking', async () => {
    fake.answerWith({ reasoning: ['hmm'], content: ['ok'] });
    const legacy = client(SAMPLING_VERSION);
    const thinking = {
      maxTokens: 8192,
      temperature: 0.7,
      topK: 40,
      reasoning: { budgetTokens: 2048 },
    };

    const completion = await collectStream(legacy.stream(request({ ...thinking, topP: 0.9 })));
    const lowTopP = lastChatBody();
    await collectStream(legacy.stream(request({ ...thinking, topP: 0.97 })));
    const highTopP = lastChatBody();

    assert.equal(completion.content, 'ok');
    assert.deepEqual(lowTopP.thinking, { type: 'enabled', budget_tokens: 2048 });
    assert.equal(lowTopP.max_tokens, 8192);
    assert.equal('temperature' in lowTopP, false);
    assert.equal('top_k' in lowTopP, false);
    assert.equal('top_p' in lowTopP, false, 'top_p below 0.95 is left out while thinking');
    assert.equal(highTopP.top_p, 0.97);
  });

  test('maps effort to a budget', async () => {
    fake.answerWith({ content: ['ok'] });
    const cases: [GenerationParams['reasoning'], number, number][] = [
      [{ effort: 'high' }, 8192, 6553],
      [{ effort: 'medium' }, 8192, 4096],
      [{ effort: 'minimal' }, 4096, 1024],
      [{ effort: 'low' }, 1030, 1024],
      [{ effort: 'low', budgetTokens: 3000 }, 8192, 3000],
    ];

    for (const [reasoning, maxTokens, budget] of cases) {
      await collectStream(client().stream(request({ maxTokens, reasoning })));

      assert.deepEqual(
        lastChatBody().thinking,
        { type: 'enabled', budget_tokens: budget },
        JSON.stringify(reasoning),
      );
    }
  });

  test('rejects invalid thinking settings early', async () => {
    const sent = chatCount();
    const cases: [Partial<GenerationParams>, RegExp][] = [
      [{ reasoning: { budgetTokens: 500 } }, /Thinking budget 500 .*minimum of 1024/],
      [
        { maxTokens: 8192, reasoning: { budgetTokens: 8192 } },
        /8192 must be below max tokens 8192/,
      ],
      [{ maxTokens: 1024, reasoning: { effort: 'high' } }, /Max tokens 1024 leaves no room/],
      [{ maxTokens: 0 }, /Max tokens 0 is invalid/],
    ];

    for (const [params, message] of cases) {
      const error = await streamError(client().stream(request(params)));

      assert.equal(error.code, 'bad_request', JSON.stringify(params));
      assert.match(error.message, message);
    }
    const error = await streamError(client(SAMPLING_VERSION).stream(request({ temperature: 1.5 })));
    assert.match(error.message, /Temperature 1.5 is outside Anthropic's range of 0 to 1/);
    assert.equal(chatCount(), sent, 'nothing reached the provider');
  });
});

describe('AnthropicClient history', () => {
  async function firstTurn(): Promise<ChatTurn[]> {
    fake.answerWithBlocks({
      blocks: [
        { type: 'thinking', pieces: ['Think ', 'first.'] },
        { type: 'redacted_thinking' },
        { type: 'text', pieces: ['First answer.'] },
      ],
    });
    const completion = await collectStream(
      client().stream(request({ reasoning: { budgetTokens: 2048 } })),
    );
    return [
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: completion.content,
        reasoning: completion.reasoning,
        reasoningBlocks: completion.reasoningBlocks,
      },
      { role: 'user', content: 'And then?' },
    ];
  }

  test('signed blocks sent back unchanged', async () => {
    const messages = await firstTurn();
    fake.answerWith({ content: ['Second answer.'] });

    const completion = await collectStream(
      client().stream(request({ reasoning: { budgetTokens: 2048 } }, { messages })),
    );

    assert.equal(completion.content, 'Second answer.');
    const sent = (lastChatBody().messages as { content: unknown }[])[1]?.content;
    const blocks = messages[1]?.reasoningBlocks ?? [];
    assert.deepEqual(sent, [
      { type: 'thinking', thinking: 'Think first.', signature: fake.sign('Think first.') },
      { type: 'redacted_thinking', data: blocks[1]?.type === 'redacted' ? blocks[1].data : '' },
      { type: 'text', text: 'First answer.' },
    ]);
  });

  test('tampered thinking block is rejected', async () => {
    const messages = await firstTurn();
    const assistant = messages[1];
    assert.ok(assistant?.reasoningBlocks?.[0]?.type === 'thinking');
    assistant.reasoningBlocks[0] = { ...assistant.reasoningBlocks[0], text: 'Think again.' };

    const error = await streamError(client().stream(request({}, { messages })));

    assert.equal(error.code, 'bad_request');
    assert.equal(error.details.status, 400);
    assert.match(error.details.providerMessage ?? '', /Invalid `signature` in `thinking` block/);
  });

  test('drops unsigned thinking blocks', async () => {
    fake.answerWith({ content: ['ok'] });
    const messages: ChatTurn[] = [
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: 'Partial.',
        reasoningBlocks: [{ type: 'thinking', text: 'cut short', signature: null }],
      },
      { role: 'user', content: 'Go on.' },
    ];

    const completion = await collectStream(client().stream(request({}, { messages })));

    assert.equal(completion.content, 'ok');
    const sent = (lastChatBody().messages as { content: unknown }[])[1]?.content;
    assert.deepEqual(sent, [{ type: 'text', text: 'Partial.' }]);
  });

  test('sends turns without blocks as plain text', async () => {
    fake.answerWith({ content: ['ok'] });
    const messages: ChatTurn[] = [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.', reasoning: 'shown only' },
      { role: 'user', content: 'Bye' },
    ];

    await collectStream(client().stream(request({}, { messages })));

    assert.deepEqual(lastChatBody().messages, [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello.' },
      { role: 'user', content: 'Bye' },
    ]);
  });
});

describe('AnthropicClient failures', () => {
  const cases: [
    string,
    Parameters<FakeAnthropicServer['failNext']>[0],
    ProviderErrorCode,
    Partial<ProviderError['details']>,
    RegExp,
  ][] = [
    [
      'rejected key',
      { kind: 'unauthorized' },
      'auth',
      { status: 401, providerMessage: 'invalid x-api-key' },
      /rejected the API key/,
    ],
    [
      'rate limit',
      { kind: 'rate_limited', retryAfterSeconds: 7 },
      'rate_limited',
      { status: 429, retryAfterMs: 7000 },
      /rate limit was reached \(HTTP 429\)\. Retry after 7 s\./,
    ],
    [
      'server error',
      { kind: 'server_error' },
      'server',
      { status: 500, providerMessage: 'Internal server error' },
      /failed with a server error \(HTTP 500\)/,
    ],
    [
      '529 overloaded',
      { kind: 'overloaded' },
      'server',
      { status: 529, providerMessage: 'Overloaded' },
      /overloaded \(HTTP 529\)/,
    ],
    [
      'error event in the stream',
      { kind: 'stream_error', afterChunks: 4 },
      'server',
      { providerMessage: 'Overloaded' },
      /overloaded \(overloaded_error event in the stream\)/,
    ],
    [
      'malformed chunk',
      { kind: 'malformed_chunk', afterChunks: 3 },
      'malformed',
      {},
      /could not be read/,
    ],
    [
      'drop mid-stream',
      { kind: 'drop_mid_stream', afterChunks: 4 },
      'dropped',
      {},
      /connection to Anthropic at http:\/\/127\.0\.0\.1:\d+ closed before/,
    ],
    [
      'stall',
      { kind: 'stall' },
      'timeout',
      {},
      /Anthropic at http:\/\/127\.0\.0\.1:\d+ sent nothing for 500 ms in the middle/,
    ],
  ];

  for (const [name, fault, code, details, message] of cases) {
    test(`${name} ends the stream with ${code}`, async () => {
      fake.answerWith({ reasoning: ['a', 'b'], content: ['one', 'two', 'three'] });
      fake.failNext(fault);
      const started = Date.now();

      const error = await streamError(
        client().stream(request({ reasoning: { budgetTokens: 2048 } })),
      );

      assert.equal(error.code, code);
      assert.match(error.message, message);
      for (const [key, value] of Object.entries(details)) {
        assert.equal(error.details[key as keyof typeof details], value, key);
      }
      assert.ok(Date.now() - started < 1500, 'failed without hanging');
    });
  }

  test('unknown model is not_found', async () => {
    const error = await streamError(client().stream(request({}, { model: 'claude-nonexistent' })));

    assert.equal(error.code, 'not_found');
    assert.equal(error.details.status, 404);
    assert.equal(error.details.providerMessage, 'model: claude-nonexistent');
  });

  test('missing key sends no credentials', async () => {
    const error = await streamError(client({ apiKey: null }).stream(request()));

    assert.equal(error.code, 'auth');
    const headers = fake.requests.at(-1)?.headers ?? {};
    assert.equal(headers.authorization, undefined);
    assert.equal(headers['x-api-key'], undefined);
  });

  test('closed port is unreachable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await streamError(
      client({ baseUrl: `http://127.0.0.1:${port}` }).stream(request()),
    );

    assert.equal(error.code, 'unreachable');
    assert.match(error.message, /ECONNREFUSED/);
  });

  test('TLS to a plain HTTP server is tls', async () => {
    const error = await streamError(
      client({ baseUrl: fake.baseUrl.replace('http:', 'https:') }).stream(request()),
    );

    assert.equal(error.code, 'tls');
  });
});

describe('AnthropicClient abort', () => {
  test('abort mid-stream closes the request', async () => {
    fake.answerWithBlocks({
      blocks: [{ type: 'text', pieces: Array.from({ length: 40 }, (_, i) => `word${i} `) }],
      eventDelayMs: 50,
    });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    const started = Date.now();

    for await (const event of client().stream(request({}, { signal: controller.signal }))) {
      events.push(event);
      if (event.type === 'content' && !controller.signal.aborted) {
        controller.abort();
      }
    }

    const last = events.at(-1);
    assert.ok(last?.type === 'error');
    assert.equal(last.error.code, 'aborted');
    assert.ok(Date.now() - started < 1000, 'ended promptly');
    for (let waited = 0; fake.openStreams > 0 && waited < 1000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(fake.openStreams, 0, 'the HTTP request was closed');
  });

  test('an aborted signal sends nothing', async () => {
    const sent = chatCount();
    const error = await streamError(client().stream(request({}, { signal: AbortSignal.abort() })));

    assert.equal(error.code, 'aborted');
    assert.equal(chatCount(), sent);
  });
});

describe('fake Anthropic server', () => {
  async function post(body: unknown, version = '2026-10-21') {
    const response = await fetch(`${fake.baseUrl}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': fake.apiKey,
        ...(version === '' ? {} : { 'anthropic-version': version }),
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { error?: { type: string; message: string } };
    return { status: response.status, error: json.error };
  }

  const valid = { model: SONNET, max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] };
  const thinking = { ...valid, thinking: { type: 'enabled', budget_tokens: 2048 } };
  const history = (block: object) => ({
    ...valid,
    messages: [
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: [block, { type: 'text', text: 'Hello.' }] },
      { role: 'user', content: 'Again' },
    ],
  });
  const cases: [string, unknown, string, RegExp][] = [
    ['missing max_tokens', { ...valid, max_tokens: undefined }, '2026-10-21', /max_tokens/],
    [
      'system role message',
      { ...valid, messages: [{ role: 'system', content: 'x' }, ...valid.messages] },
      '2026-10-21',
      /messages\.0\.role.*top-level `system`/,
    ],
    [
      'thinking block without signature',
      history({ type: 'thinking', thinking: 'x' }),
      '2026-10-21',
      /messages\.1\.content\.0\.thinking\.signature: Field required/,
    ],
    [
      'thinking block with a wrong signature',
      history({ type: 'thinking', thinking: 'x', signature: 'c2lnbmVkIHNvbWV0aGluZyBlbHNl' }),
      '2026-10-21',
      /Invalid `signature`/,
    ],
    [
      'unknown redacted data',
      history({ type: 'redacted_thinking', data: 'made-up' }),
      '2026-10-21',
      /Invalid `data`/,
    ],
    [
      'budget under 1024',
      { ...valid, thinking: { type: 'enabled', budget_tokens: 1000 } },
      '2026-10-21',
      /greater than or equal to 1024/,
    ],
    [
      'budget not below max_tokens',
      { ...valid, thinking: { type: 'enabled', budget_tokens: 4096 } },
      '2026-10-21',
      /`max_tokens` must be greater than `thinking.budget_tokens`/,
    ],
    ['temperature on 2026-10-21', { ...valid, temperature: 1 }, '2026-10-21', /temperature/],
    ['temperature while thinking', { ...thinking, temperature: 0.5 }, '2023-06-01', /temperature/],
    ['top_k while thinking', { ...thinking, top_k: 5 }, '2023-06-01', /top_k/],
    ['low top_p while thinking', { ...thinking, top_p: 0.9 }, '2023-06-01', /top_p/],
    ['missing anthropic-version', valid, '', /anthropic-version/],
  ];

  for (const [name, body, version, message] of cases) {
    test(`rejects ${name}`, async () => {
      const { status, error } = await post(body, version);

      assert.equal(status, 400);
      assert.equal(error?.type, 'invalid_request_error');
      assert.match(error?.message ?? '', message);
    });
  }

  test('accepts a valid request', async () => {
    fake.answerWith({ content: ['ok'] });

    const { status } = await post(valid);

    assert.equal(status, 200);
  });
});

describe('AnthropicClient error text', () => {
  test('object error message is shown as JSON', async () => {
    const server = await startLoopbackServer((_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          type: 'error',
          error: { type: 'invalid_request_error', message: { reason: 'bad field' } },
        }),
      );
    });
    try {
      const failure: unknown = await client({ baseUrl: server.url })
        .complete(request())
        .catch((error: unknown) => error);

      assert.ok(failure instanceof ProviderError);
      assert.equal(failure.code, 'bad_request');
      assert.match(failure.message, /\{"reason":"bad field"\}/);
      assert.doesNotMatch(failure.message, /object Object/);
    } finally {
      await server.close();
    }
  });
});
