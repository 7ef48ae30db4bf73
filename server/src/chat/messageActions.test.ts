import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApiChatMessage, StopMessageResponse } from '../../../shared/src/api/chat.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { ChatMessage } from '../models/index.js';
import {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../testing/fakeProviders/anthropic.js';
import { startFakeOllamaServer, type FakeOllamaServer } from '../testing/fakeProviders/ollama.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import {
  createChatSession,
  createModelConfig,
  createProvider,
  eventTypes,
  joinedText,
  listMessages,
  only,
  postForStream,
  waitFor,
  type Account,
} from './testKit.js';

/** Answer pieces slow enough that a test can act while they stream. */
const SLOW_PIECES = Array.from({ length: 40 }, (_, index) => `part${index} `);

describe(`chat stop, disconnect and delete (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let ollama: FakeOllamaServer;
  let alice: Account;
  let bob: Account;
  let gptConfigId: number;
  let claudeConfigId: number;
  let llamaConfigId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    openai = await startFakeOpenAiServer();
    anthropic = await startFakeAnthropicServer();
    ollama = await startFakeOllamaServer({ chunkIntervalMs: 50 });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');

    const openaiId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    gptConfigId = await createModelConfig(server, alice, {
      providerId: openaiId,
      modelId: 'gpt-4o',
    });
    const anthropicId = await createProvider(server, alice, {
      kind: 'anthropic',
      baseUrl: anthropic.baseUrl,
      apiKey: anthropic.apiKey,
    });
    claudeConfigId = await createModelConfig(server, alice, {
      providerId: anthropicId,
      modelId: 'claude-sonnet-4-5-20250929',
    });
    const ollamaId = await createProvider(server, alice, {
      kind: 'ollama',
      baseUrl: ollama.baseUrl,
    });
    llamaConfigId = await createModelConfig(server, alice, {
      providerId: ollamaId,
      modelId: 'llama3.2:latest',
    });
  });

  after(async () => {
    await server.close();
    await Promise.all([openai.close(), anthropic.close(), ollama.close()]);
  });

  const stop = (owner: Account, sessionId: number, messageId: number) =>
    server.request<StopMessageResponse & ApiErrorBody>(
      'POST',
      `/api/chat/sessions/${sessionId}/messages/${messageId}/stop`,
      { token: owner.accessToken },
    );

  /** Streams a message and calls the stop route after the second content event. */
  async function sendAndStop(sessionId: number) {
    let stopReply: StopMessageResponse | undefined;
    let contentEvents = 0;
    let streamsOpenAtStop = -1;
    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${sessionId}/messages`,
      {
        body: { content: 'Count slowly', stream: true },
        onEvent: async (event) => {
          if (event.type === 'content') {
            contentEvents += 1;
            if (contentEvents === 2) {
              streamsOpenAtStop = openai.openStreams + anthropic.openStreams;
              const response = await stop(alice, sessionId, event.data.messageId);
              assert.equal(response.status, 200, JSON.stringify(response.body));
              stopReply = response.body;
            }
          }
        },
      },
    );
    return { reply, stopReply, streamsOpenAtStop };
  }

  test('stop mid-stream keeps the partial answer', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });

    const { reply, stopReply, streamsOpenAtStop } = await sendAndStop(session.id);

    assert.equal(streamsOpenAtStop, 1);
    assert.equal(openai.openStreams, 0, 'the provider connection is closed');
    const done = only(reply, 'done');
    assert.equal(done.status, 'stopped');
    assert.equal(done.finishReason, 'aborted');
    assert.equal(eventTypes(reply).at(-1), 'done');
    const streamed = joinedText(reply, 'content');
    assert.ok(streamed.startsWith('part0 part1 '), streamed);
    assert.ok(streamed.length < SLOW_PIECES.join('').length, 'the answer was cut short');
    assert.equal(stopReply?.message.status, 'stopped');
    assert.equal(stopReply?.message.content, streamed);
    const [, answer] = await listMessages(server, alice, session.id);
    assert.equal(answer?.status, 'stopped');
    assert.equal(answer?.finishReason, 'aborted');
    assert.equal(answer?.content, streamed);
    assert.equal(answer?.error, null);
  });

  test('stop aborts an Anthropic stream', async () => {
    anthropic.answerWithBlocks({
      blocks: [{ type: 'text', pieces: SLOW_PIECES }],
      eventDelayMs: 40,
    });
    const session = await createChatSession(server, alice, { modelConfigId: claudeConfigId });

    const { reply, streamsOpenAtStop } = await sendAndStop(session.id);

    assert.equal(streamsOpenAtStop, 1);
    await waitFor('the Anthropic stream to close', () => anthropic.openStreams === 0);
    assert.equal(only(reply, 'done').status, 'stopped');
    const [, answer] = await listMessages(server, alice, session.id);
    assert.equal(answer?.status, 'stopped');
    assert.ok(answer?.content.startsWith('part0 part1 '), answer?.content);
  });

  test('client disconnect stops the answer', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    let answerId = 0;

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      {
        body: { content: 'Go on', stream: true },
        onEvent: (event, controller) => {
          if (event.type === 'content') {
            answerId = event.data.messageId;
            controller.abort();
          }
        },
      },
    );

    assert.equal(eventTypes(reply).includes('done'), false);
    await waitFor('the provider stream to close', () => openai.openStreams === 0);
    let stored: ChatMessage | null = null;
    await waitFor('the answer to be stored as stopped', async () => {
      stored = await ChatMessage.findByPk(answerId);
      return stored?.status === 'stopped';
    });
    const answer = stored as unknown as ChatMessage;
    assert.ok(answer.content.startsWith('part0 '), answer.content);
    assert.ok(answer.content.length < SLOW_PIECES.join('').length);
    assert.equal(answer.finishReason, 'aborted');
  });

  test('disconnect closes an Ollama stream', async () => {
    ollama.answerWith({ content: SLOW_PIECES });
    const session = await createChatSession(server, alice, { modelConfigId: llamaConfigId });
    const closedBefore = ollama.closedByClient;

    await postForStream(server, alice.accessToken, `/api/chat/sessions/${session.id}/messages`, {
      body: { content: 'Stream NDJSON', stream: true },
      onEvent: (event, controller) => {
        if (event.type === 'content') {
          controller.abort();
        }
      },
    });

    await waitFor('Ollama to see the client close', () => ollama.closedByClient > closedBefore);
    await waitFor('the answer to be stored as stopped', async () => {
      const messages = await ChatMessage.findAll({ where: { sessionId: session.id } });
      return messages.some((message) => message.status === 'stopped');
    });
  });

  test('disconnect during a JSON reply', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const controller = new AbortController();
    const request = fetch(`${server.url}/api/chat/sessions/${session.id}/messages`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${alice.accessToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ content: 'Wait for me', stream: false }),
      signal: controller.signal,
    });
    await waitFor('the provider stream to open', () => openai.openStreams === 1);
    controller.abort();
    await request.catch(() => undefined);

    await waitFor('the provider stream to close', () => openai.openStreams === 0);
    await waitFor('the answer to be stored as stopped', async () => {
      const messages = await ChatMessage.findAll({ where: { sessionId: session.id } });
      return messages.some((message) => message.status === 'stopped');
    });
  });

  test('stop of an ended answer changes nothing', async () => {
    openai.answerWith({ content: ['All', ' done.'] });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      { body: { content: 'Quick one', stream: true } },
    );
    const answerId = only(reply, 'done').messageId;

    const response = await stop(alice, session.id, answerId);

    assert.equal(response.status, 200);
    assert.equal(response.body.message.status, 'complete');
    assert.equal(response.body.message.content, 'All done.');
  });

  test('stop of a stale streaming answer', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    // An answer left streaming, as a server that stopped mid-answer leaves it.
    const stale = await ChatMessage.create({
      sessionId: session.id,
      role: 'assistant',
      content: 'half',
      reasoning: null,
      reasoningBlocks: null,
      status: 'streaming',
      modelConfigId: gptConfigId,
      modelId: 'gpt-4o',
      promptTokens: null,
      completionTokens: null,
      reasoningTokens: null,
      ttftMs: null,
      ttfaMs: null,
      latencyMs: null,
      finishReason: null,
      providerFinishReason: null,
      error: null,
    });

    const response = await stop(alice, session.id, stale.id);

    assert.equal(response.status, 200);
    assert.equal(response.body.message.status, 'stopped');
    assert.equal(response.body.message.content, 'half');
  });

  test('stop of a user message rejected', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      { body: { content: 'Mine', stream: true } },
    );

    const response = await stop(alice, session.id, only(reply, 'start').userMessage.id);

    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'not_an_answer');
  });

  test("another user's message is 404", async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      { body: { content: 'Private', stream: true } },
    );
    const answerId = only(reply, 'done').messageId;
    const otherSession = await createChatSession(server, alice, { modelConfigId: gptConfigId });

    const byBob = await stop(bob, session.id, answerId);
    const deleteByBob = await server.request(
      'DELETE',
      `/api/chat/sessions/${session.id}/messages/${answerId}`,
      { token: bob.accessToken },
    );
    const wrongSession = await stop(alice, otherSession.id, answerId);

    assert.equal(byBob.status, 404);
    assert.equal(deleteByBob.status, 404);
    assert.equal(wrongSession.status, 404);
    assert.match(wrongSession.body.error.message, new RegExp(`Message ${answerId} was not found`));
    assert.equal((await listMessages(server, alice, session.id)).length, 2);
  });

  test('delete while streaming stops first', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    let deleteStatus = 0;

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      {
        body: { content: 'Delete me', stream: true },
        onEvent: async (event) => {
          if (event.type === 'content' && deleteStatus === 0) {
            const response = await server.request(
              'DELETE',
              `/api/chat/sessions/${session.id}/messages/${event.data.messageId}`,
              { token: alice.accessToken },
            );
            deleteStatus = response.status;
          }
        },
      },
    );

    assert.equal(deleteStatus, 200);
    assert.equal(only(reply, 'done').status, 'stopped');
    assert.equal(openai.openStreams, 0);
    const messages: ApiChatMessage[] = await listMessages(server, alice, session.id);
    assert.deepEqual(
      messages.map((message) => message.role),
      ['user'],
    );
  });

  test('delete of a question takes its answer', async () => {
    openai.answerWith({ content: ['Answer.'] });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const send = (content: string) =>
      postForStream(server, alice.accessToken, `/api/chat/sessions/${session.id}/messages`, {
        body: { content, stream: true },
      });
    const first = only(await send('First'), 'done').message;
    const second = only(await send('Second'), 'done').message;
    const messagesBefore = await listMessages(server, alice, session.id);
    const firstQuestion = messagesBefore.find((message) => message.content === 'First')!;

    const response = await server.request<{ deletedMessageIds: number[] }>(
      'DELETE',
      `/api/chat/sessions/${session.id}/messages/${firstQuestion.id}`,
      { token: alice.accessToken },
    );

    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body.deletedMessageIds, [firstQuestion.id, first.id]);
    const left = await listMessages(server, alice, session.id);
    assert.deepEqual(
      left.map((message) => [message.role, message.content]),
      [
        ['user', 'Second'],
        ['assistant', 'Answer.'],
      ],
    );
    assert.equal(left[1]?.id, second.id);
  });

  test('delete of a question being answered is 409', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    let questionId = 0;
    let deleteReply: { status: number; body: ApiErrorBody } | undefined;

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      {
        body: { content: 'Keep me', stream: true },
        onEvent: async (event) => {
          if (event.type === 'start') {
            questionId = event.data.userMessage.id;
          }
          if (event.type === 'content' && deleteReply === undefined) {
            deleteReply = await server.request<ApiErrorBody>(
              'DELETE',
              `/api/chat/sessions/${session.id}/messages/${questionId}`,
              { token: alice.accessToken },
            );
          }
        },
      },
    );

    assert.equal(deleteReply?.status, 409);
    assert.equal(deleteReply?.body.error.code, 'answer_in_progress');
    assert.match(deleteReply?.body.error.message ?? '', /is still being answered; stop the answer/);
    assert.equal(only(reply, 'done').status, 'complete');
    const messages = await listMessages(server, alice, session.id);
    assert.deepEqual(
      messages.map((message) => [message.role, message.status]),
      [
        ['user', 'complete'],
        ['assistant', 'complete'],
      ],
    );
  });

  test('delete session while streaming', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    let deleteStatus = 0;

    await postForStream(server, alice.accessToken, `/api/chat/sessions/${session.id}/messages`, {
      body: { content: 'Bye', stream: true },
      onEvent: async (event) => {
        if (event.type === 'content' && deleteStatus === 0) {
          const response = await server.request('DELETE', `/api/chat/sessions/${session.id}`, {
            token: alice.accessToken,
          });
          deleteStatus = response.status;
        }
      },
    });

    assert.equal(deleteStatus, 204);
    assert.equal(openai.openStreams, 0);
    assert.equal(await ChatMessage.count({ where: { sessionId: session.id } }), 0);
  });
});
