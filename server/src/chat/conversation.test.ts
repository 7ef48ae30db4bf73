import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SendChatMessageResponse } from '../../../shared/src/api/chat.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { ChatMessage, ProviderModel, UsageRecord } from '../models/index.js';
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
  type Account,
} from './testKit.js';

interface SentBody {
  messages: { role: string; content: unknown; reasoning_content?: unknown }[];
}

/** Returns the chat-completions request bodies a fake OpenAI server received. */
function chatBodies(fake: FakeOpenAiServer): SentBody[] {
  return fake.requests
    .filter((request) => request.path === '/v1/chat/completions')
    .map((request) => request.body as SentBody);
}

describe(`chat conversation (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let deepseek: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let ollama: FakeOllamaServer;
  let alice: Account;
  let gptConfigId: number;
  let reasonerConfigId: number;
  let claudeConfigId: number;
  let qwenConfigId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    openai = await startFakeOpenAiServer();
    deepseek = await startFakeOpenAiServer({ profile: 'deepseek' });
    anthropic = await startFakeAnthropicServer();
    ollama = await startFakeOllamaServer();
    alice = await server.signUp('alice');

    const openaiId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    gptConfigId = await createModelConfig(server, alice, {
      providerId: openaiId,
      modelId: 'gpt-4o',
    });
    const deepseekId = await createProvider(server, alice, {
      kind: 'openai-compatible',
      baseUrl: deepseek.baseUrl,
      apiKey: deepseek.apiKey,
    });
    reasonerConfigId = await createModelConfig(server, alice, {
      providerId: deepseekId,
      modelId: 'deepseek-reasoner',
    });
    const anthropicId = await createProvider(server, alice, {
      kind: 'anthropic',
      baseUrl: anthropic.baseUrl,
      apiKey: anthropic.apiKey,
    });
    claudeConfigId = await createModelConfig(server, alice, {
      providerId: anthropicId,
      modelId: 'claude-sonnet-4-5-20250929',
      maxTokens: 4096,
      reasoning: { budgetTokens: 2048 },
    });
    const ollamaId = await createProvider(server, alice, {
      kind: 'ollama',
      baseUrl: ollama.baseUrl,
    });
    qwenConfigId = await createModelConfig(server, alice, {
      providerId: ollamaId,
      modelId: 'qwen3:8b',
    });
  });

  after(async () => {
    await server.close();
    await Promise.all([openai.close(), deepseek.close(), anthropic.close(), ollama.close()]);
  });

  const send = (sessionId: number, body: Record<string, unknown>, headers = {}) =>
    postForStream(server, alice.accessToken, `/api/chat/sessions/${sessionId}/messages`, {
      body,
      headers,
    });

  test('plain model streams content', async () => {
    openai.answerWith({
      content: ['Hel', 'lo', ' Alice.'],
      usage: { promptTokens: 9, completionTokens: 3 },
    });
    const session = await createChatSession(server, alice, {
      modelConfigId: gptConfigId,
      systemPrompt: 'Answer briefly.',
    });

    const reply = await send(session.id, { content: 'Say hello', stream: true });

    assert.equal(reply.status, 200);
    assert.deepEqual(eventTypes(reply), [
      'start',
      'content',
      'content',
      'content',
      'usage',
      'done',
    ]);
    const start = only(reply, 'start');
    assert.equal(start.userMessage.content, 'Say hello');
    assert.equal(start.assistantMessage.status, 'streaming');
    assert.equal(start.sessionTitle, 'Say hello');
    assert.equal(start.trimmedTurns, 0);
    assert.equal(joinedText(reply, 'content'), 'Hello Alice.');
    const done = only(reply, 'done');
    assert.equal(done.status, 'complete');
    assert.equal(done.finishReason, 'stop');
    assert.deepEqual(done.usage, { promptTokens: 9, completionTokens: 3, reasoningTokens: 0 });
    assert.equal(typeof done.ttftMs, 'number');
    assert.equal(done.ttfaMs, done.ttftMs);
    assert.ok(done.latencyMs >= (done.ttftMs ?? 0));

    const [userMessage, answer] = await listMessages(server, alice, session.id);
    assert.equal(userMessage?.role, 'user');
    assert.equal(answer?.id, start.assistantMessage.id);
    assert.equal(answer?.content, 'Hello Alice.');
    assert.equal(answer?.reasoning, null);
    assert.equal(answer?.status, 'complete');
    assert.equal(answer?.streamed, true);
    assert.equal(answer?.modelId, 'gpt-4o');
    assert.equal(answer?.modelConfigId, gptConfigId);
    const sent = chatBodies(openai).at(-1);
    assert.deepEqual(sent?.messages.slice(0, 1), [{ role: 'system', content: 'Answer briefly.' }]);
  });

  test('usage recorded through the meter', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const before = await UsageRecord.count({ where: { modelConfigId: gptConfigId } });

    await send(session.id, { content: 'Count me', stream: true });

    const records = await UsageRecord.findAll({
      where: { modelConfigId: gptConfigId },
      order: [['id', 'ASC']],
    });
    assert.equal(records.length, before + 1);
    assert.equal(records.at(-1)?.purpose, 'chat');
    assert.equal(records.at(-1)?.userId, alice.userId);
  });

  test('reasoning model multi-turn', async () => {
    deepseek.answerWith({
      reasoning: ['Think ', 'first.'],
      content: ['Four.'],
      usage: { promptTokens: 10, completionTokens: 8, reasoningTokens: 5 },
    });
    const session = await createChatSession(server, alice, { modelConfigId: reasonerConfigId });

    const first = await send(session.id, { content: 'Two plus two?', stream: true });

    const types = eventTypes(first);
    assert.ok(types.includes('reasoning'), types.join(', '));
    assert.ok(
      types.lastIndexOf('reasoning') < types.indexOf('content'),
      `reasoning before content: ${types.join(', ')}`,
    );
    assert.equal(joinedText(first, 'reasoning'), 'Think first.');
    assert.equal(joinedText(first, 'content'), 'Four.');
    const done = only(first, 'done');
    assert.ok((done.ttfaMs ?? 0) >= (done.ttftMs ?? 0));
    assert.equal(done.message.reasoning, 'Think first.');
    assert.equal(done.message.content, 'Four.');
    assert.equal(done.message.usage?.reasoningTokens, 5);

    deepseek.answerWith({ reasoning: ['Again.'], content: ['Eight.'] });
    const second = await send(session.id, { content: 'Times two?', stream: true });

    assert.equal(only(second, 'done').status, 'complete');
    const sent = chatBodies(deepseek).at(-1);
    assert.deepEqual(
      sent?.messages.map((message) => [message.role, message.content]),
      [
        ['user', 'Two plus two?'],
        ['assistant', 'Four.'],
        ['user', 'Times two?'],
      ],
    );
    const messages = await listMessages(server, alice, session.id);
    assert.deepEqual(
      messages.map((message) => [message.role, message.content, message.reasoning]),
      [
        ['user', 'Two plus two?', null],
        ['assistant', 'Four.', 'Think first.'],
        ['user', 'Times two?', null],
        ['assistant', 'Eight.', 'Again.'],
      ],
    );
  });

  test('Anthropic thinking blocks sent back', async () => {
    anthropic.answerWithBlocks({
      blocks: [
        { type: 'thinking', pieces: ['Let me ', 'think.'] },
        { type: 'text', pieces: ['Paris.'] },
      ],
      usage: { promptTokens: 20, completionTokens: 12 },
    });
    const session = await createChatSession(server, alice, { modelConfigId: claudeConfigId });

    const first = await send(session.id, { content: 'Capital of France?', stream: true });

    assert.equal(joinedText(first, 'reasoning'), 'Let me think.');
    assert.equal(joinedText(first, 'content'), 'Paris.');
    const stored = await ChatMessage.findByPk(only(first, 'done').messageId);
    assert.deepEqual(stored?.reasoningBlocks, [
      { type: 'thinking', text: 'Let me think.', signature: anthropic.sign('Let me think.') },
    ]);

    anthropic.answerWithBlocks({ blocks: [{ type: 'text', pieces: ['Berlin.'] }] });
    const second = await send(session.id, { content: 'And Germany?', stream: true });

    // The fake rejects a thinking block whose signature does not match its text.
    assert.equal(only(second, 'done').status, 'complete', JSON.stringify(second.events.at(-1)));
    const sent = anthropic.requests.filter((request) => request.path === '/v1/messages').at(-1)
      ?.body as { messages: { role: string; content: { type: string; signature?: string }[] }[] };
    const earlierAnswer = sent.messages[1];
    assert.equal(earlierAnswer?.role, 'assistant');
    assert.equal(earlierAnswer?.content[0]?.type, 'thinking');
    assert.equal(earlierAnswer?.content[0]?.signature, anthropic.sign('Let me think.'));
  });

  test('Ollama thinking stored apart', async () => {
    ollama.answerWith({
      reasoning: ['Hmm, ', 'greeting.'],
      content: ['Hi', '!'],
      usage: { promptTokens: 5, completionTokens: 4 },
    });
    const session = await createChatSession(server, alice, { modelConfigId: qwenConfigId });

    const first = await send(session.id, { content: 'Hello', stream: true });
    const second = await send(session.id, { content: 'Again', stream: true });

    assert.equal(joinedText(first, 'reasoning'), 'Hmm, greeting.');
    assert.equal(joinedText(first, 'content'), 'Hi!');
    assert.equal(only(second, 'done').status, 'complete');
    const chatRequests = ollama.requests.filter((request) => request.path === '/api/chat');
    const sent = chatRequests.at(-1)?.body as SentBody;
    assert.deepEqual(
      sent.messages.map((message) => [message.role, message.content]),
      [
        ['user', 'Hello'],
        ['assistant', 'Hi!'],
        ['user', 'Again'],
      ],
    );
  });

  test('JSON reply without stream', async () => {
    deepseek.answerWith({ reasoning: ['Quick.'], content: ['Done.'] });
    const session = await createChatSession(server, alice, { modelConfigId: reasonerConfigId });

    const reply = await send(session.id, { content: 'Reply as JSON', stream: false });

    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
    const body = reply.body as SendChatMessageResponse;
    assert.equal(body.userMessage.content, 'Reply as JSON');
    assert.equal(body.assistantMessage.content, 'Done.');
    assert.equal(body.assistantMessage.reasoning, 'Quick.');
    assert.equal(body.assistantMessage.status, 'complete');
    assert.equal(body.assistantMessage.streamed, false);
    assert.equal(typeof body.assistantMessage.latencyMs, 'number');
    assert.equal(body.session.title, 'Reply as JSON');
    assert.equal(body.session.messageCount, 2);
  });

  test('Accept header asks for a stream', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });

    const streamed = await send(
      session.id,
      { content: 'Stream me' },
      { Accept: 'text/event-stream' },
    );
    const plain = await send(session.id, { content: 'Plain me' }, { Accept: 'application/json' });

    assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(only(streamed, 'done').status, 'complete');
    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((plain.body as SendChatMessageResponse).assistantMessage.status, 'complete');
  });

  test('stream false wins over the Accept header', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });

    const plain = await send(
      session.id,
      { content: 'No stream please', stream: false },
      { Accept: 'text/event-stream' },
    );
    const streamed = await send(
      session.id,
      { content: 'Stream please', stream: true },
      { Accept: 'application/json' },
    );

    assert.match(plain.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal((plain.body as SendChatMessageResponse).assistantMessage.streamed, false);
    assert.match(streamed.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(only(streamed, 'done').message.streamed, true);
  });

  test('provider 401 as an error event', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    openai.failNext({ kind: 'unauthorized' });

    const reply = await send(session.id, { content: 'Who am I?', stream: true });

    assert.equal(reply.status, 200);
    assert.deepEqual(eventTypes(reply), ['start', 'error']);
    const failure = only(reply, 'error');
    assert.equal(failure.error.code, 'auth');
    assert.equal(failure.error.status, 401);
    assert.equal(failure.message.status, 'error');
    const [, answer] = await listMessages(server, alice, session.id);
    assert.equal(answer?.status, 'error');
    assert.equal(answer?.finishReason, 'error');
    assert.equal(answer?.error?.code, 'auth');
    assert.ok((answer?.error?.message ?? '') !== '');
  });

  test('provider 429 stored on the message', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: claudeConfigId });
    anthropic.failNext({ kind: 'rate_limited', retryAfterSeconds: 7 });

    const reply = await send(session.id, { content: 'Too fast?', stream: true });

    const failure = only(reply, 'error');
    assert.equal(failure.error.code, 'rate_limited');
    assert.equal(failure.error.status, 429);
    assert.equal(failure.error.retryAfterMs, 7000);
    const [, answer] = await listMessages(server, alice, session.id);
    assert.equal(answer?.error?.code, 'rate_limited');
    assert.equal(answer?.status, 'error');
  });

  test('provider error in JSON reply', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: qwenConfigId });
    ollama.failNext({ kind: 'server_error' });

    const reply = await send(session.id, { content: 'Fail please', stream: false });

    assert.equal(reply.status, 200);
    const body = reply.body as SendChatMessageResponse;
    assert.equal(body.assistantMessage.status, 'error');
    assert.equal(body.assistantMessage.error?.code, 'server');
  });

  test('regenerate replaces the last answer', async () => {
    openai.answerWith({ content: ['First try.'] });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const first = await send(session.id, { content: 'Tell a joke', stream: true });
    const firstAnswerId = only(first, 'done').messageId;
    openai.answerWith({ content: ['Second try.'] });

    const again = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages/${firstAnswerId}/regenerate`,
    );

    const start = only(again, 'start');
    assert.equal(start.replacedMessageId, firstAnswerId);
    assert.equal(start.userMessage.id, only(first, 'start').userMessage.id);
    assert.equal(joinedText(again, 'content'), 'Second try.');
    const messages = await listMessages(server, alice, session.id);
    assert.deepEqual(
      messages.map((message) => message.content),
      ['Tell a joke', 'Second try.'],
    );
    const sent = chatBodies(openai).at(-1);
    assert.deepEqual(
      sent?.messages.map((message) => message.content),
      ['Tell a joke'],
    );

    openai.answerWith({ content: ['Third try.'] });
    const third = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/regenerate`,
      { body: { stream: false } },
    );

    const body = third.body as SendChatMessageResponse;
    assert.equal(body.assistantMessage.content, 'Third try.');
    const after = await listMessages(server, alice, session.id);
    assert.deepEqual(
      after.map((message) => message.content),
      ['Tell a joke', 'Third try.'],
    );
  });

  test('regenerate answers a lone user message', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    openai.failNext({ kind: 'server_error' });
    const failed = await send(session.id, { content: 'Retry me', stream: true });
    const failedId = only(failed, 'error').messageId;
    const deleted = await server.request(
      'DELETE',
      `/api/chat/sessions/${session.id}/messages/${failedId}`,
      { token: alice.accessToken },
    );
    assert.equal(deleted.status, 200);
    openai.answerWith({ content: ['Retried.'] });

    const again = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/regenerate`,
    );

    assert.equal(only(again, 'start').replacedMessageId, null);
    assert.equal(only(again, 'done').message.content, 'Retried.');
  });

  test('regenerate of an earlier answer rejected', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const first = await send(session.id, { content: 'One', stream: true });
    await send(session.id, { content: 'Two', stream: true });

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages/${only(first, 'done').messageId}/regenerate`,
    );

    assert.equal(reply.status, 409);
    assert.equal((reply.body as ApiErrorBody).error.code, 'not_last_message');
  });

  test('regenerate of an empty session rejected', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/regenerate`,
    );

    assert.equal(reply.status, 409);
    assert.equal((reply.body as ApiErrorBody).error.code, 'nothing_to_regenerate');
  });

  test('deleted answer left out of history', async () => {
    openai.answerWith({ content: ['Forget me.'] });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    const first = await send(session.id, { content: 'Remember this', stream: true });
    const deleted = await server.request(
      'DELETE',
      `/api/chat/sessions/${session.id}/messages/${only(first, 'done').messageId}`,
      { token: alice.accessToken },
    );
    assert.equal(deleted.status, 200);

    const second = await send(session.id, { content: 'What now?', stream: true });

    const sent = chatBodies(openai).at(-1);
    assert.deepEqual(
      sent?.messages.map((message) => [message.role, message.content]),
      [['user', 'What now?']],
    );
    assert.equal(only(second, 'start').history.skippedTurns, 1);
  });

  test('failed answer skipped with its question', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    openai.answerWith({ content: ['Hi.'] });
    await send(session.id, { content: 'Hello', stream: true });
    openai.failNext({ kind: 'server_error' });
    const failed = await send(session.id, { content: 'Explain SSE', stream: true });
    assert.equal(only(failed, 'error').message.status, 'error');

    await send(session.id, { content: 'Explain SSE', stream: true });

    const sent = chatBodies(openai).at(-1);
    assert.deepEqual(
      sent?.messages.map((message) => [message.role, message.content]),
      [
        ['user', 'Hello'],
        ['assistant', 'Hi.'],
        ['user', 'Explain SSE'],
      ],
    );
  });

  test('history trimmed to the context length', async () => {
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    await ProviderModel.create({
      providerId,
      modelId: 'gpt-4o',
      displayName: 'GPT-4o',
      type: 'chat',
      capabilities: [],
      contextLength: 1300,
    });
    // 1300 - 1000 leaves a prompt budget of 300 tokens, and each 400-character message is an
    // estimated 104.
    const configId = await createModelConfig(server, alice, {
      providerId,
      modelId: 'gpt-4o',
      maxTokens: 1000,
    });
    openai.answerWith({ content: ['b'.repeat(400)] });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const first = await send(session.id, { content: 'a'.repeat(400), stream: true });
    const second = await send(session.id, { content: 'c'.repeat(400), stream: true });

    assert.equal(only(first, 'start').trimmedTurns, 0);
    const start = only(second, 'start');
    assert.equal(start.trimmedTurns, 1);
    assert.equal(start.history.trimmedTurns, 1);
    assert.equal(start.history.budgetTokens, 300);
    assert.equal(start.history.sentMessages, 1);
    assert.equal(start.history.estimatedTokens, 104);
    const sent = chatBodies(openai).at(-1);
    assert.deepEqual(
      sent?.messages.map((message) => message.content),
      ['c'.repeat(400)],
    );
  });

  test('second message while answering rejected', async () => {
    openai.answerWith({ content: ['slow', ' answer', ' here'], chunkDelayMs: 100 });
    const session = await createChatSession(server, alice, { modelConfigId: gptConfigId });
    let conflictBody: ApiErrorBody | undefined;
    let conflictStatus = 0;

    const finished = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      {
        body: { content: 'Long one', stream: true },
        onEvent: async (event) => {
          if (event.type === 'start') {
            const response = await server.request<ApiErrorBody>(
              'POST',
              `/api/chat/sessions/${session.id}/messages`,
              { token: alice.accessToken, body: { content: 'Interrupt', stream: false } },
            );
            conflictStatus = response.status;
            conflictBody = response.body;
          }
        },
      },
    );
    openai.answerWith({ content: ['Hello', ' there.'] });

    assert.equal(conflictStatus, 409);
    assert.equal(conflictBody?.error.code, 'answer_in_progress');
    assert.equal(only(finished, 'done').status, 'complete');
    const messages = await listMessages(server, alice, session.id);
    assert.equal(messages.filter((message) => message.content === 'Interrupt').length, 0);
  });
});
