import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { chatRuntime } from './runtime.js';
import {
  createChatSession,
  createModelConfig,
  createProvider,
  only,
  postForStream,
  type Account,
  type StreamOptions,
} from './testKit.js';

describe(`chat event stream (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let alice: Account;
  let configId: number;

  before(async () => {
    server = await TestServer.start();
    openai = await startFakeOpenAiServer();
    alice = await server.signUp('alice');
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    configId = await createModelConfig(server, alice, { providerId, modelId: 'gpt-4o' });
  });

  after(async () => {
    await server.close();
    await openai.close();
  });

  const send = (sessionId: number, content: string, onEvent?: StreamOptions['onEvent']) =>
    postForStream(server, alice.accessToken, `/api/chat/sessions/${sessionId}/messages`, {
      body: { content, stream: true },
      ...(onEvent === undefined ? {} : { onEvent }),
    });

  test('headers keep proxies from buffering', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const reply = await send(session.id, 'Headers please');

    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.match(reply.headers.get('cache-control') ?? '', /no-cache/);
    assert.equal(reply.headers.get('x-accel-buffering'), 'no');
    assert.match(reply.headers.get('x-request-id') ?? '', /.+/);
    assert.equal(reply.headers.get('content-length'), null);
  });

  test('events arrive while the provider streams', async () => {
    openai.answerWith({ content: ['one ', 'two ', 'three ', 'four'], chunkDelayMs: 80 });
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    let openAtFirstContent = -1;

    const reply = await send(session.id, 'Stream it', (event) => {
      if (event.type === 'content' && openAtFirstContent === -1) {
        openAtFirstContent = openai.openStreams;
      }
    });

    assert.equal(openAtFirstContent, 1, 'the first piece arrived before the provider finished');
    assert.equal(only(reply, 'done').message.content, 'one two three four');
  });

  test('keep-alive comment while the provider is silent', async () => {
    const runtime = chatRuntime(server.running.services);
    runtime.keepAliveMs = 40;
    openai.answerWith({ content: ['late'] });
    openai.failNext({ kind: 'slow_first_token', delayMs: 300, keepAliveMs: 100 });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    try {
      const reply = await send(session.id, 'Take your time');

      const comments = reply.raw.split('\n').filter((line) => line === ':keep-alive');
      assert.ok(
        comments.length >= 2,
        `expected keep-alive comments in ${JSON.stringify(reply.raw)}`,
      );
      assert.equal(only(reply, 'done').message.content, 'late');
    } finally {
      runtime.keepAliveMs = 15_000;
    }
  });

  test('no keep-alive in a quick answer', async () => {
    openai.answerWith({ content: ['quick'] });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const reply = await send(session.id, 'Fast');

    assert.equal(reply.raw.includes(':keep-alive'), false);
  });

  test('default keep-alive interval', () => {
    assert.equal(chatRuntime(server.running.services).keepAliveMs, 15_000);
  });
});

describe(`chat keep-alive from CHAT_KEEPALIVE_MS (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let alice: Account;
  let configId: number;

  before(async () => {
    server = await TestServer.start({ CHAT_KEEPALIVE_MS: '40' });
    openai = await startFakeOpenAiServer();
    alice = await server.signUp('alice');
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    configId = await createModelConfig(server, alice, { providerId, modelId: 'gpt-4o' });
  });

  after(async () => {
    await server.close();
    await openai.close();
  });

  test('keep-alive interval from the environment', async () => {
    openai.answerWith({ content: ['late'] });
    openai.failNext({ kind: 'slow_first_token', delayMs: 300, keepAliveMs: 100 });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      { body: { content: 'Take your time', stream: true } },
    );

    assert.equal(chatRuntime(server.running.services).keepAliveMs, 40);
    const comments = reply.raw.split('\n').filter((line) => line === ':keep-alive');
    assert.ok(comments.length >= 2, `expected keep-alive comments in ${JSON.stringify(reply.raw)}`);
    assert.equal(only(reply, 'done').message.content, 'late');
  });
});
