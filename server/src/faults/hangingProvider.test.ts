// A provider that sends its response headers and then nothing: the chat answer must time out
// with an error event, close the provider connection and release the session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { chatRuntime } from '../chat/runtime.js';
import {
  createChatSession,
  createModelConfig,
  createProvider,
  eventTypes,
  listMessages,
  only,
  postForStream,
  waitFor,
  type Account,
} from '../chat/testKit.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';

/** The idle limit between stream chunks that the test sets on the server, in milliseconds. */
const IDLE_MS = 500;

describe(`hanging provider (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let alice: Account;
  let modelConfigId: number;

  before(async () => {
    server = await TestServer.start();
    openai = await startFakeOpenAiServer();
    alice = await server.signUp('alice');
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    modelConfigId = await createModelConfig(server, alice, { providerId, modelId: 'gpt-4o' });
    chatRuntime(server.running.services).clientTimeouts = { requestMs: 2_000, idleMs: IDLE_MS };
  });

  after(async () => {
    await server.close();
    await openai.close();
  });

  test('stalled stream ends with timeout error', async () => {
    const session = await createChatSession(server, alice, { modelConfigId });
    const messagesPath = `/api/chat/sessions/${session.id}/messages`;
    const runtime = chatRuntime(server.running.services);
    openai.failNext({ kind: 'stall' });

    const startedAt = Date.now();
    const reply = await postForStream(server, alice.accessToken, messagesPath, {
      body: { content: 'Hello?', stream: true },
    });
    const elapsedMs = Date.now() - startedAt;

    assert.equal(reply.status, 200);
    assert.deepEqual(eventTypes(reply), ['start', 'error']);
    const failure = only(reply, 'error');
    assert.equal(failure.error.code, 'timeout');
    assert.match(failure.error.message, /sent nothing for 500 ms/);
    assert.equal(failure.message.status, 'error');
    assert.ok(elapsedMs >= IDLE_MS, `the answer ended after ${elapsedMs} ms, before the limit`);
    assert.ok(elapsedMs < 5_000, `the answer took ${elapsedMs} ms to time out`);

    await waitFor('the fake provider to see its connection closed', () => openai.openStreams === 0);
    assert.equal(runtime.findBySession(session.id), undefined);
    const answerId = only(reply, 'start').assistantMessage.id;
    assert.equal(runtime.find(answerId), undefined);

    const messages = await listMessages(server, alice, session.id);
    const answer = messages.find((message) => message.id === answerId);
    assert.equal(answer?.status, 'error');
    assert.equal(answer?.error?.code, 'timeout');

    openai.answerWith({ content: ['Here now.'] });
    const next = await postForStream(server, alice.accessToken, messagesPath, {
      body: { content: 'Hello again?', stream: true },
    });
    assert.deepEqual(eventTypes(next).at(-1), 'done');
  });

  test('stalled whole response times out', async () => {
    const session = await createChatSession(server, alice, { modelConfigId });
    const runtime = chatRuntime(server.running.services);
    openai.failNext({ kind: 'stall' });

    const startedAt = Date.now();
    const response = await server.request<{
      assistantMessage: { status: string; error: { code: string } | null };
    }>('POST', `/api/chat/sessions/${session.id}/messages`, {
      token: alice.accessToken,
      body: { content: 'Hello?', stream: false },
    });
    const elapsedMs = Date.now() - startedAt;

    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.assistantMessage.status, 'error');
    assert.equal(response.body.assistantMessage.error?.code, 'timeout');
    assert.ok(elapsedMs < 5_000, `the answer took ${elapsedMs} ms to time out`);
    await waitFor('the fake provider to see its connection closed', () => openai.openStreams === 0);
    assert.equal(runtime.findBySession(session.id), undefined);
  });
});
