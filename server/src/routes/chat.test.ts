import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ApiChatSession,
  ChatExport,
  ChatSessionListResponse,
} from '../../../shared/src/api/chat.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { AuditLog, ChatMessage } from '../models/index.js';
import {
  createChatSession,
  createModelConfig,
  createProvider,
  only,
  postForStream,
  type Account,
} from '../chat/testKit.js';
import {
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../testing/fakeProviders/anthropic.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';

type SessionBody = { session: ApiChatSession } & ApiErrorBody;

describe(`chat sessions API (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let anthropic: FakeAnthropicServer;
  let alice: Account;
  let bob: Account;
  let configId: number;
  let claudeConfigId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    openai = await startFakeOpenAiServer();
    anthropic = await startFakeAnthropicServer();
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    configId = await createModelConfig(server, alice, {
      providerId,
      modelId: 'gpt-4o',
      displayName: 'GPT-4o',
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
  });

  after(async () => {
    await server.close();
    await Promise.all([openai.close(), anthropic.close()]);
  });

  const request = <T = SessionBody>(owner: Account, method: string, path: string, body?: unknown) =>
    server.request<T>(method, path, {
      token: owner.accessToken,
      ...(body === undefined ? {} : { body }),
    });

  /** Gives a user a provider and model config of their own on the OpenAI fake. */
  async function ownConfig(owner: Account): Promise<number> {
    const providerId = await createProvider(server, owner, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    return createModelConfig(server, owner, { providerId, modelId: 'gpt-4o' });
  }

  const sendMessage = (owner: Account, sessionId: number, content: string) =>
    postForStream(server, owner.accessToken, `/api/chat/sessions/${sessionId}/messages`, {
      body: { content, stream: true },
    });

  /** Creates a prompt in the owner's library and returns its id. */
  async function createPrompt(owner: Account, name: string, content: string): Promise<number> {
    const response = await request<{ prompt: { id: number } }>(owner, 'POST', '/api/prompts', {
      name,
      content,
      format: 'custom',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.prompt.id;
  }

  test('create with every field', async () => {
    const promptId = await createPrompt(alice, 'Release notes writer', 'From the library.');
    const response = await request(alice, 'POST', '/api/chat/sessions', {
      modelConfigId: configId,
      title: '  Release notes  ',
      systemPromptId: promptId,
      systemPrompt: 'You write release notes.',
    });

    assert.equal(response.status, 201, JSON.stringify(response.body));
    const session = response.body.session;
    assert.equal(session.title, 'Release notes');
    assert.equal(session.modelConfigId, configId);
    assert.equal(session.modelConfigName, 'GPT-4o');
    assert.equal(session.systemPromptId, promptId);
    assert.equal(session.systemPrompt, 'You write release notes.');
    assert.equal(session.messageCount, 0);
    assert.equal(session.lastMessageAt, session.createdAt);
  });

  test('system prompt taken from the library', async () => {
    const promptId = await createPrompt(alice, 'Terse reviewer', 'You review code tersely.');
    openai.answerWith({ content: ['Fine.'] });

    const created = await request(alice, 'POST', '/api/chat/sessions', {
      modelConfigId: configId,
      systemPromptId: promptId,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await sendMessage(alice, created.body.session.id, 'Review this');

    assert.equal(created.body.session.systemPromptId, promptId);
    assert.equal(created.body.session.systemPrompt, 'You review code tersely.');
    const sent = openai.requests.at(-1)?.body as { messages: { role: string; content: string }[] };
    assert.deepEqual(sent.messages[0], { role: 'system', content: 'You review code tersely.' });
  });

  test('built-in prompt usable by id', async () => {
    const listed = await request<{
      prompts: { id: number; isBuiltIn: boolean; content: string }[];
    }>(bob, 'GET', '/api/prompts?scope=builtIn');
    const builtIn = listed.body.prompts.find((prompt) => prompt.isBuiltIn);
    assert.ok(builtIn !== undefined, JSON.stringify(listed.body));
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const updated = await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, {
      systemPromptId: builtIn.id,
    });

    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.session.systemPromptId, builtIn.id);
    assert.equal(updated.body.session.systemPrompt, builtIn.content);
  });

  test('unknown or foreign prompt id is 404', async () => {
    const bobPromptId = await createPrompt(bob, 'Bob only', 'Private to Bob.');
    const session = await createChatSession(server, alice, {
      modelConfigId: configId,
      systemPrompt: 'Kept',
    });
    const attempts = [
      await request(alice, 'POST', '/api/chat/sessions', {
        modelConfigId: configId,
        systemPromptId: bobPromptId,
      }),
      await request(alice, 'POST', '/api/chat/sessions', {
        modelConfigId: configId,
        systemPromptId: 999_999,
      }),
      await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, {
        systemPromptId: bobPromptId,
      }),
    ];

    for (const response of attempts) {
      assert.equal(response.status, 404, JSON.stringify(response.body));
      assert.match(response.body.error.message, /was not found in your prompt library/);
      assert.deepEqual(response.body.error.details, { field: 'systemPromptId' });
    }
    const shown = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);
    assert.equal(shown.body.session.systemPromptId, null);
    assert.equal(shown.body.session.systemPrompt, 'Kept');
  });

  test('prompt id null unlinks and keeps the text', async () => {
    const promptId = await createPrompt(alice, 'Unlinked later', 'Stays as text.');
    const session = await createChatSession(server, alice, {
      modelConfigId: configId,
      systemPromptId: promptId,
    });

    const updated = await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, {
      systemPromptId: null,
    });

    assert.equal(updated.body.session.systemPromptId, null);
    assert.equal(updated.body.session.systemPrompt, 'Stays as text.');
  });

  test('first message names the session', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    assert.equal(session.title, null);

    await sendMessage(
      alice,
      session.id,
      '\n  Why does my   Koa stream buffer everything until the very end of the response?\nMore.',
    );
    await sendMessage(alice, session.id, 'A later message');

    const response = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);
    assert.equal(
      response.body.session.title,
      'Why does my Koa stream buffer everything until the very end…',
    );
    assert.equal(response.body.session.messageCount, 4);
  });

  test('given title kept', async () => {
    const session = await createChatSession(server, alice, {
      modelConfigId: configId,
      title: 'Chosen',
    });

    await sendMessage(alice, session.id, 'Something else');

    const response = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);
    assert.equal(response.body.session.title, 'Chosen');
  });

  test('list newest first with paging and search', async () => {
    const carol = await server.signUp('carol');
    const carolConfigId = await ownConfig(carol);
    const titles = ['Alpha plan', 'Beta plan', 'Gamma notes'];
    const created: ApiChatSession[] = [];
    for (const title of titles) {
      created.push(await createChatSession(server, carol, { modelConfigId: carolConfigId, title }));
    }
    // A message makes the oldest session the most recently active one.
    await sendMessage(carol, created[0]!.id, 'bump');

    const all = await request<ChatSessionListResponse>(carol, 'GET', '/api/chat/sessions');
    const page = await request<ChatSessionListResponse>(
      carol,
      'GET',
      '/api/chat/sessions?page=2&pageSize=2',
    );
    const search = await request<ChatSessionListResponse>(
      carol,
      'GET',
      '/api/chat/sessions?q=PLAN',
    );

    assert.deepEqual(
      all.body.sessions.map((session) => session.title),
      ['Alpha plan', 'Gamma notes', 'Beta plan'],
    );
    assert.equal(all.body.total, 3);
    assert.equal(all.body.sessions[0]?.messageCount, 2);
    assert.deepEqual(
      page.body.sessions.map((session) => session.title),
      ['Beta plan'],
    );
    assert.equal(page.body.total, 3);
    assert.equal(page.body.page, 2);
    assert.deepEqual(
      search.body.sessions.map((session) => session.title),
      ['Alpha plan', 'Beta plan'],
    );
    assert.equal(search.body.total, 2);
  });

  test('search treats wildcards literally', async () => {
    const dave = await server.signUp('dave');
    const daveConfigId = await ownConfig(dave);
    await createChatSession(server, dave, { modelConfigId: daveConfigId, title: '100% done' });
    await createChatSession(server, dave, { modelConfigId: daveConfigId, title: '1000 done' });

    const response = await request<ChatSessionListResponse>(
      dave,
      'GET',
      `/api/chat/sessions?q=${encodeURIComponent('0%')}`,
    );

    assert.deepEqual(
      response.body.sessions.map((session) => session.title),
      ['100% done'],
    );
  });

  test('rename and change system prompt', async () => {
    const session = await createChatSession(server, alice, {
      modelConfigId: configId,
      systemPrompt: 'Old',
    });

    const renamed = await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, {
      title: 'Renamed',
      systemPrompt: null,
    });

    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body.session.title, 'Renamed');
    assert.equal(renamed.body.session.systemPrompt, null);
  });

  test('titles with invisible controls rejected', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    const cases: [string, RegExp][] = [
      ['invoice\u202Etxt.exe', /invisible control character U\+202E \(right-to-left override\)/],
      ['a\u2066b\u2069', /U\+2066 \(left-to-right isolate\)/],
      ['mark\u200F', /U\+200F \(right-to-left mark\)/],
      ['next\u0085line', /U\+0085 \(C1 control character\)/],
      ['one\u2028two', /U\+2028 \(line separator\)/],
      ['\u200b\u200b\u2060', /must contain visible text/],
    ];
    for (const [title, expected] of cases) {
      const created = await request(alice, 'POST', '/api/chat/sessions', {
        modelConfigId: configId,
        title,
      });
      const renamed = await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, { title });

      for (const response of [created, renamed]) {
        assert.equal(response.status, 400, `${JSON.stringify(title)}: ${response.status}`);
        assert.match(response.body.error.message, /^Invalid body\.title: /);
        assert.match(response.body.error.message, expected);
      }
    }
    const shown = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);
    assert.equal(shown.body.session.title, null);
  });

  test('first message drops invisible controls from the title', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    await sendMessage(alice, session.id, '\u200b\u200b\nPay \u202Einvoice\u202C now');

    const shown = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);
    assert.equal(shown.body.session.title, 'Pay invoice now');
  });

  test('zero-width message rejected', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const response = await request(alice, 'POST', `/api/chat/sessions/${session.id}/messages`, {
      content: '\u200b\u200c\u200d\u2060\ufeff \n',
    });

    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /^Invalid body\.content: must contain text, not only whitespace or zero-width characters/,
    );
    assert.equal(await ChatMessage.count({ where: { sessionId: session.id } }), 0);
  });

  test('rename rejects a multi-line title', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const response = await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, {
      title: 'two\nlines',
    });

    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /^Invalid body\.title: must be one line/);
  });

  test('delete removes the messages', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    await sendMessage(alice, session.id, 'Soon gone');

    const deleted = await request(alice, 'DELETE', `/api/chat/sessions/${session.id}`);
    const after = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);

    assert.equal(deleted.status, 204);
    assert.equal(after.status, 404);
    assert.equal(await ChatMessage.count({ where: { sessionId: session.id } }), 0);
  });

  test('delete is audited', async () => {
    const session = await createChatSession(server, alice, {
      modelConfigId: configId,
      title: 'Audited chat',
    });
    await sendMessage(alice, session.id, 'Count me');

    const deleted = await request(alice, 'DELETE', `/api/chat/sessions/${session.id}`);
    const entries = await AuditLog.findAll({
      where: { targetType: 'chat_session', targetId: String(session.id) },
    });

    assert.equal(deleted.status, 204);
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['chat_session.delete'],
    );
    assert.equal(entries[0]?.actorId, alice.userId);
    assert.match(entries[0]?.ip ?? '', /127\.0\.0\.1/);
    assert.deepEqual(entries[0]?.details, {
      title: 'Audited chat',
      modelConfigId: configId,
      messageCount: 2,
    });
  });

  test("another user's session is 404", async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    await sendMessage(alice, session.id, 'Private');
    const admin = await server.logInAdmin();
    const base = `/api/chat/sessions/${session.id}`;

    const attempts = [
      await request(bob, 'GET', base),
      await request(bob, 'PUT', base, { title: 'Mine now' }),
      await request(bob, 'DELETE', base),
      await request(bob, 'GET', `${base}/messages`),
      await request(bob, 'POST', `${base}/messages`, { content: 'Hi', stream: false }),
      await request(bob, 'POST', `${base}/regenerate`, {}),
      await request(bob, 'GET', `${base}/export?format=json`),
      await request(admin, 'GET', base),
    ];

    for (const response of attempts) {
      assert.equal(response.status, 404, JSON.stringify(response.body));
      assert.equal(response.body.error.message, `Chat session ${session.id} was not found.`);
    }
    const list = await request<ChatSessionListResponse>(bob, 'GET', '/api/chat/sessions');
    assert.equal(
      list.body.sessions.some((listed) => listed.id === session.id),
      false,
    );
    const still = await request(alice, 'GET', base);
    assert.equal(still.body.session.messageCount, 2);
  });

  test('missing model config is 404', async () => {
    const response = await request(alice, 'POST', '/api/chat/sessions', { modelConfigId: 99_999 });

    assert.equal(response.status, 404);
    assert.match(response.body.error.message, /Model config 99999 was not found/);
  });

  test("another user's model config is 404", async () => {
    const response = await request(bob, 'POST', '/api/chat/sessions', { modelConfigId: configId });

    assert.equal(response.status, 404);
  });

  test('disabled model config is 409', async () => {
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    const disabledId = await createModelConfig(server, alice, {
      providerId,
      modelId: 'gpt-4o',
      displayName: 'Soon disabled',
    });
    const session = await createChatSession(server, alice, { modelConfigId: disabledId });
    const disabled = await request(alice, 'PUT', `/api/model-configs/${disabledId}`, {
      enabled: false,
    });
    assert.equal(disabled.status, 200);

    const create = await request(alice, 'POST', '/api/chat/sessions', {
      modelConfigId: disabledId,
    });
    const send = await request(alice, 'POST', `/api/chat/sessions/${session.id}/messages`, {
      content: 'Hello?',
      stream: true,
    });

    for (const response of [create, send]) {
      assert.equal(response.status, 409);
      assert.equal(response.body.error.code, 'model_config_disabled');
      assert.match(response.body.error.message, /is disabled; enable it/);
    }
    assert.equal(await ChatMessage.count({ where: { sessionId: session.id } }), 0);
  });

  test('deleted model config asks for another', async () => {
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    const doomedId = await createModelConfig(server, alice, { providerId, modelId: 'gpt-4o' });
    const session = await createChatSession(server, alice, { modelConfigId: doomedId });
    await sendMessage(alice, session.id, 'Before');
    assert.equal((await request(alice, 'DELETE', `/api/model-configs/${doomedId}`)).status, 204);

    const send = await request(alice, 'POST', `/api/chat/sessions/${session.id}/messages`, {
      content: 'After',
    });
    const shown = await request(alice, 'GET', `/api/chat/sessions/${session.id}`);
    const switched = await request(alice, 'PUT', `/api/chat/sessions/${session.id}`, {
      modelConfigId: configId,
    });

    assert.equal(send.status, 409);
    assert.equal(send.body.error.code, 'model_config_missing');
    assert.match(send.body.error.message, /choose one with PUT/);
    assert.equal(shown.body.session.modelConfigId, null);
    assert.equal(shown.body.session.messageCount, 2);
    assert.equal(switched.body.session.modelConfigId, configId);
  });

  test('invalid bodies name the field', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/api/chat/sessions', {}, /^Invalid body\.modelConfigId/],
      ['POST', '/api/chat/sessions', { modelConfigId: 'x' }, /^Invalid body\.modelConfigId/],
      ['POST', '/api/chat/sessions', { modelConfigId: configId, colour: 'red' }, /colour/],
      ['POST', `/api/chat/sessions/${session.id}/messages`, {}, /^Invalid body\.content/],
      [
        'POST',
        `/api/chat/sessions/${session.id}/messages`,
        { content: '  \n ' },
        /^Invalid body\.content: must contain text, not only whitespace/,
      ],
      [
        'POST',
        `/api/chat/sessions/${session.id}/messages`,
        { content: 'x', stream: 'yes' },
        /^Invalid body\.stream/,
      ],
      ['GET', '/api/chat/sessions/abc', undefined, /^Invalid path\.id: must be a numeric/],
      ['GET', `/api/chat/sessions/${session.id}/export?format=pdf`, undefined, /format/],
    ];
    for (const [method, path, body, expected] of cases) {
      const response = await request(alice, method, path, body);

      assert.equal(response.status, 400, `${method} ${path}: ${JSON.stringify(response.body)}`);
      assert.match(response.body.error.message, expected);
    }
    assert.equal(await ChatMessage.count({ where: { sessionId: session.id } }), 0);
  });

  test('export as JSON has every field', async () => {
    anthropic.answerWithBlocks({
      blocks: [
        { type: 'thinking', pieces: ['Ponder.'] },
        { type: 'text', pieces: ['Answer.'] },
      ],
      usage: { promptTokens: 3, completionTokens: 4 },
    });
    const session = await createChatSession(server, alice, {
      modelConfigId: claudeConfigId,
      title: 'Notes / ideas: “v2”',
    });
    await sendMessage(alice, session.id, 'Think about it');

    const response = await fetch(
      `${server.url}/api/chat/sessions/${session.id}/export?format=json`,
      {
        headers: { Authorization: `Bearer ${alice.accessToken}` },
      },
    );
    const exported = (await response.json()) as ChatExport;

    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const disposition = response.headers.get('content-disposition') ?? '';
    assert.match(disposition, /^attachment; filename="Notes ideas _v2_\.json"/);
    assert.ok(
      disposition.includes(`filename*=UTF-8''Notes%20ideas%20%E2%80%9Cv2%E2%80%9D.json`),
      disposition,
    );
    assert.equal(exported.exportVersion, 1);
    assert.equal(exported.session.title, 'Notes / ideas: “v2”');
    assert.equal(exported.messages.length, 2);
    const answer = exported.messages[1]!;
    assert.equal(answer.content, 'Answer.');
    assert.equal(answer.reasoning, 'Ponder.');
    assert.deepEqual(answer.reasoningBlocks, [
      { type: 'thinking', text: 'Ponder.', signature: anthropic.sign('Ponder.') },
    ]);
    assert.equal(answer.providerFinishReason, 'end_turn');
    assert.equal(answer.usage?.completionTokens, 4);
    assert.equal(typeof answer.latencyMs, 'number');
    assert.equal(answer.status, 'complete');
  });

  test('export as Markdown and text', async () => {
    openai.answerWith({ content: ['Try:\n\n```sh\n', 'ls -la\n', '```\n'] });
    const session = await createChatSession(server, alice, {
      modelConfigId: configId,
      title: 'Shell tips',
    });
    const reply = await sendMessage(alice, session.id, 'List files');
    assert.equal(only(reply, 'done').status, 'complete');

    const markdown = await fetch(`${server.url}/api/chat/sessions/${session.id}/export?format=md`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const text = await fetch(`${server.url}/api/chat/sessions/${session.id}/export?format=txt`, {
      headers: { Authorization: `Bearer ${alice.accessToken}` },
    });
    const markdownBody = await markdown.text();
    const textBody = await text.text();

    assert.equal(markdown.status, 200);
    assert.match(markdown.headers.get('content-type') ?? '', /^text\/markdown; charset=utf-8/);
    assert.equal(
      markdown.headers.get('content-disposition'),
      'attachment; filename="Shell tips.md"',
    );
    assert.ok(markdownBody.startsWith('# Shell tips\n'), markdownBody);
    assert.ok(markdownBody.includes('```sh\nls -la\n```'), markdownBody);
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain; charset=utf-8/);
    assert.equal(text.headers.get('content-disposition'), 'attachment; filename="Shell tips.txt"');
    assert.ok(textBody.includes('User ('), textBody);
    assert.ok(textBody.includes('List files'), textBody);
  });

  test('OpenAPI lists the chat routes', async () => {
    const response = await server.request<{ paths: Record<string, Record<string, unknown>> }>(
      'GET',
      '/api/openapi.json',
    );

    const paths = response.body.paths;
    assert.ok(paths['/api/chat/sessions']?.post);
    assert.ok(paths['/api/chat/sessions/{id}/messages']?.post);
    assert.ok(paths['/api/chat/sessions/{id}/messages/{messageId}/stop']?.post);
    assert.ok(paths['/api/chat/sessions/{id}/messages/{messageId}/regenerate']?.post);
    assert.ok(paths['/api/chat/sessions/{id}/regenerate']?.post);
    assert.ok(paths['/api/chat/sessions/{id}/messages/{messageId}']?.delete);
    assert.ok(paths['/api/chat/sessions/{id}/export']?.get);
  });
});
