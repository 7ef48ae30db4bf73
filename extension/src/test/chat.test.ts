import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ApiChatMessage, ChatExport } from '../../../shared/src/api/chat.js';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ChatHostMessage } from '../../../shared/src/protocol/chat.js';
import type { ApiError } from '../api/errors.js';
import { signIn } from '../auth/signIn.js';
import type { WorkbenchApi } from '../extension.js';
import type { ChatPanel } from '../panels/chatPanel.js';
import { activateExtension, EXTENSION_ID, readTestConfig, waitFor } from './environment.js';

// The chat panel end to end: the real server, with a loopback provider that speaks OpenAI's
// streaming chat completions, driven through the panel's message handler as its webview would.

/** The reasoning and answer the loopback provider streams, one piece per chunk. */
const REASONING = ['Let me ', 'think ', 'about ', 'it.'];
const ANSWER = Array.from({ length: 60 }, (_, index) => `word${index} `);
/** A last message containing this word gets a slow answer of SLOW_CHUNKS chunks, 20 ms apart. */
const SLOW_WORD = 'slowly';
const SLOW_CHUNKS = 200;

interface LoopbackProvider {
  baseUrl: string;
  /** Chat completion responses still open. */
  openStreams(): number;
  close(): Promise<void>;
}

/** Starts an OpenAI-compatible chat completions server on 127.0.0.1 that streams scripted text. */
async function startLoopbackProvider(): Promise<LoopbackProvider> {
  const open = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `No route ${request.url}` } }));
        return;
      }
      const parsed = JSON.parse(body) as {
        model: string;
        stream?: boolean;
        messages: { content: string }[];
      };
      const slow = parsed.messages.at(-1)?.content.includes(SLOW_WORD) === true;
      if (parsed.stream === true) {
        open.add(response);
        response.on('close', () => open.delete(response));
        void streamAnswer(response, parsed.model, slow);
      } else {
        answerWhole(response, parsed.model);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    openStreams: () => open.size,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function chunk(model: string, delta: object, finishReason: string | null = null): string {
  const choice = { index: 0, delta, finish_reason: finishReason };
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model, choices: [choice] })}\n\n`;
}

const USAGE = {
  prompt_tokens: 11,
  completion_tokens: 64,
  total_tokens: 75,
  completion_tokens_details: { reasoning_tokens: 4 },
};

async function streamAnswer(response: http.ServerResponse, model: string, slow: boolean) {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.write(chunk(model, { role: 'assistant', content: '' }));
  if (slow) {
    for (let index = 0; index < SLOW_CHUNKS && !response.destroyed; index += 1) {
      response.write(chunk(model, { content: `slow${index} ` }));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } else {
    // All pieces in one write, as a fast provider's burst arrives.
    response.write(
      [
        ...REASONING.map((text) => chunk(model, { reasoning_content: text })),
        ...ANSWER.map((text) => chunk(model, { content: text })),
      ].join(''),
    );
  }
  if (response.destroyed) {
    return;
  }
  response.write(chunk(model, {}, 'stop'));
  const usage = {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model,
    choices: [],
    usage: USAGE,
  };
  response.end(`data: ${JSON.stringify(usage)}\n\ndata: [DONE]\n\n`);
}

function answerWhole(response: http.ServerResponse, model: string): void {
  const message = {
    role: 'assistant',
    content: ANSWER.join(''),
    reasoning_content: REASONING.join(''),
  };
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    JSON.stringify({
      id: 'chatcmpl-2',
      object: 'chat.completion',
      created: 1,
      model,
      choices: [{ index: 0, message, finish_reason: 'stop' }],
      usage: USAGE,
    }),
  );
}

/** Records what the panel posts to its webview from now on. */
function recordPosts(panel: ChatPanel): { posts: ChatHostMessage[]; stop(): void } {
  const posts: ChatHostMessage[] = [];
  const listener = panel.onDidPost((message) => posts.push(message));
  return {
    posts,
    stop: () => {
      listener.dispose();
    },
  };
}

function ofType<Type extends ChatHostMessage['type']>(
  posts: ChatHostMessage[],
  type: Type,
): Extract<ChatHostMessage, { type: Type }>[] {
  return posts.filter((message) => message.type === type) as Extract<
    ChatHostMessage,
    { type: Type }
  >[];
}

suite('chat panel', () => {
  let api: WorkbenchApi;
  let provider: LoopbackProvider;
  let modelConfig: ApiModelConfig;
  let panel: ChatPanel;
  let sessionId: number;
  let signedInHere = false;
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-chat-export-'));

  suiteSetup(async () => {
    const config = readTestConfig();
    api = await activateExtension();
    if ((await api.store.user()) === undefined) {
      await signIn(api.store, {
        serverUrl: config.serverUrl,
        login: config.login,
        password: config.password,
      });
      signedInHere = true;
    }
    provider = await startLoopbackProvider();
    const created = await api.client.request<{ provider: { id: number } }>(
      'POST',
      '/api/providers',
      {
        body: {
          kind: 'openai-compatible',
          name: `Chat test ${Date.now()}`,
          baseUrl: provider.baseUrl,
        },
      },
    );
    ({ modelConfig } = await api.client.request<{ modelConfig: ApiModelConfig }>(
      'POST',
      '/api/model-configs',
      {
        body: {
          providerId: created.provider.id,
          modelId: 'chat-test-model',
          displayName: 'Chat Test Model',
        },
      },
    ));
  });

  suiteTeardown(async () => {
    panel?.dispose();
    await provider?.close();
    fs.rmSync(exportDir, { recursive: true, force: true });
    if (signedInHere) {
      await api.authProvider.signOut();
    }
  });

  test('Chat with This Model opens the panel', async () => {
    const opened = await vscode.commands.executeCommand<ChatPanel | undefined>(
      'llmWorkbench.chat.openWithModel',
      { config: modelConfig },
    );
    assert.ok(opened, 'the command returned no panel');
    panel = opened;

    // The webview loads the chat bundle and sends `ready`, which the panel replies to with the
    // account state, the new chat on this model, the models and the sessions.
    const recorder = recordPosts(panel);
    await waitFor(
      'the chat webview to start',
      () => ofType(recorder.posts, 'sessions').length > 0,
      15_000,
    );
    recorder.stop();

    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    assert.ok(
      tabs.some(
        (tab) =>
          tab.input instanceof vscode.TabInputWebview &&
          tab.input.viewType.endsWith('llmWorkbench.chat'),
      ),
      'no chat tab is open',
    );

    const [init] = ofType(recorder.posts, 'init');
    assert.equal(init?.signedIn, true);
    assert.deepEqual(init?.show, { newChatModelId: modelConfig.id });
    const [models] = ofType(recorder.posts, 'models');
    assert.ok(
      models?.models.some(
        (model) => model.id === modelConfig.id && model.displayName === 'Chat Test Model',
      ),
    );
  });

  test('menu offers Chat with This Model on model configs', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { menus: Record<string, { command: string; when?: string }[]> };
    };
    const entries = manifest.contributes.menus['view/item/context']?.filter(
      (entry) => entry.command === 'llmWorkbench.chat.openWithModel',
    );
    assert.ok(entries, 'no context menus');
    assert.ok(entries.length > 0, 'no context menu entry');
    for (const entry of entries) {
      const pattern = /viewItem =~ \/(.+)\/$/.exec(entry.when ?? '')?.[1];
      assert.ok(pattern, `entry has no viewItem pattern: ${entry.when}`);
      const matcher = new RegExp(pattern);
      assert.ok(matcher.test('modelConfig.enabled'));
      assert.ok(!matcher.test('modelConfig.disabled'));
    }
  });

  test('send streams the answer', async () => {
    const recorder = recordPosts(panel);
    await panel.handle({
      type: 'send',
      sessionId: null,
      modelConfigId: modelConfig.id,
      content: 'Hello there',
      stream: true,
    });
    recorder.stop();
    const posts = recorder.posts;

    const created = ofType(posts, 'sessionChanged')[0]?.session;
    assert.ok(created, 'no session was created');
    assert.equal(created.modelConfigId, modelConfig.id);
    sessionId = created.id;
    const [start] = ofType(posts, 'streamStart');
    assert.ok(start, 'no streamStart');
    assert.equal(start.userMessage.content, 'Hello there');
    const deltas = ofType(posts, 'streamDelta');
    assert.equal(deltas.map((delta) => delta.reasoning).join(''), REASONING.join(''));
    assert.equal(deltas.map((delta) => delta.content).join(''), ANSWER.join(''));
    // 64 provider chunks in one burst reach the webview in a few coalesced messages.
    assert.ok(deltas.length <= 8, `${deltas.length} delta messages for one burst`);
    const [end] = ofType(posts, 'streamEnd');
    assert.equal(end?.message.status, 'complete');
    assert.equal(end?.message.content, ANSWER.join(''));
    assert.equal(end?.message.reasoning, REASONING.join(''));
    assert.equal(end?.message.usage?.reasoningTokens, 4);
    const busy = ofType(posts, 'busy').filter((message) => message.sessionId === sessionId);
    assert.deepEqual(
      busy.map((message) => message.busy),
      [true, false],
    );
    // The first message names the session.
    assert.equal(ofType(posts, 'sessionChanged').at(-1)?.session.title, 'Hello there');

    const stored = await api.client.request<{ messages: ApiChatMessage[] }>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    assert.deepEqual(
      stored.messages.map((message) => [message.role, message.status]),
      [
        ['user', 'complete'],
        ['assistant', 'complete'],
      ],
    );
  });

  test('reopening mid-stream sends the text so far', async () => {
    const recorder = recordPosts(panel);
    const sending = panel.handle({
      type: 'send',
      sessionId,
      modelConfigId: null,
      content: `Answer ${SLOW_WORD}`,
      stream: true,
    });
    await waitFor('answer text', () =>
      ofType(recorder.posts, 'streamDelta').some((delta) => delta.content !== ''),
    );
    await panel.handle({ type: 'openSession', sessionId });
    const conversation = ofType(recorder.posts, 'conversation').at(-1);
    assert.ok(conversation?.live, 'the conversation has no live answer');
    const answer = conversation.messages.find(
      (message) => message.id === conversation.live?.messageId,
    );
    assert.equal(answer?.status, 'streaming');
    assert.match(answer?.content ?? '', /^slow0 /);
    assert.equal(conversation.live.answering, true);

    await panel.handle({ type: 'stop', sessionId });
    await sending;
    recorder.stop();
  });

  test('stop keeps the partial answer', async () => {
    const recorder = recordPosts(panel);
    const sending = panel.handle({
      type: 'send',
      sessionId,
      modelConfigId: null,
      content: `Count ${SLOW_WORD}`,
      stream: true,
    });
    await waitFor('three answer chunks', () =>
      ofType(recorder.posts, 'streamDelta')
        .map((delta) => delta.content)
        .join('')
        .includes('slow2 '),
    );
    await panel.handle({ type: 'stop', sessionId });
    await sending;
    recorder.stop();

    const ends = ofType(recorder.posts, 'streamEnd');
    assert.equal(ends.length, 1);
    const stopped = ends[0]?.message;
    assert.equal(stopped?.status, 'stopped');
    assert.match(stopped?.content ?? '', /^slow0 slow1 slow2 /);
    assert.ok(
      !(stopped?.content ?? '').includes(`slow${SLOW_CHUNKS - 1} `),
      'the answer was not cut',
    );
    assert.equal(ofType(recorder.posts, 'notice').length, 0, 'stopping showed an error');
    await waitFor('the provider request to close', () => provider.openStreams() === 0);
    const stored = await api.client.request<{ messages: ApiChatMessage[] }>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    const last = stored.messages.at(-1);
    assert.equal(last?.id, stopped?.id);
    assert.equal(last?.status, 'stopped');
    assert.equal(last?.content, stopped?.content);
  });

  test('send without streaming', async () => {
    const recorder = recordPosts(panel);
    await panel.handle({
      type: 'send',
      sessionId,
      modelConfigId: null,
      content: 'Whole, please',
      stream: false,
    });
    recorder.stop();
    assert.equal(ofType(recorder.posts, 'streamStart').length, 0);
    const changed = ofType(recorder.posts, 'messagesChanged')[0];
    assert.deepEqual(
      changed?.upsert.map((message) => [message.role, message.content]),
      [
        ['user', 'Whole, please'],
        ['assistant', ANSWER.join('')],
      ],
    );
  });

  test('regenerate replaces the last answer', async () => {
    const before = await api.client.request<{ messages: ApiChatMessage[] }>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    const old = before.messages.at(-1);
    assert.ok(old);
    assert.equal(old.role, 'assistant');
    const recorder = recordPosts(panel);
    await panel.handle({ type: 'regenerate', sessionId, messageId: old.id, stream: true });
    recorder.stop();
    const [start] = ofType(recorder.posts, 'streamStart');
    assert.equal(start?.replacedMessageId, old.id);
    const [end] = ofType(recorder.posts, 'streamEnd');
    assert.equal(end?.message.status, 'complete');
    assert.notEqual(end?.message.id, old.id);
    const after = await api.client.request<{ messages: ApiChatMessage[] }>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    assert.ok(!after.messages.some((message) => message.id === old.id), 'the old answer is kept');
    assert.equal(after.messages.length, before.messages.length);
  });

  test('deleting a question removes its answer too', async () => {
    const before = await api.client.request<{ messages: ApiChatMessage[] }>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    const answer = before.messages.at(-1);
    const question = before.messages.at(-2);
    assert.equal(question?.role, 'user');
    assert.equal(answer?.role, 'assistant');
    const recorder = recordPosts(panel);
    await panel.handle({ type: 'deleteMessage', sessionId, messageId: question?.id ?? 0 });
    recorder.stop();

    const [changed] = ofType(recorder.posts, 'messagesChanged');
    assert.deepEqual(changed?.remove, [question?.id, answer?.id]);
    const after = await api.client.request<{ messages: ApiChatMessage[] }>(
      'GET',
      `/api/chat/sessions/${sessionId}/messages`,
    );
    assert.equal(after.messages.length, before.messages.length - 2);
  });

  test('export writes the server file', async () => {
    const markdownFile = vscode.Uri.file(path.join(exportDir, 'chat.md'));
    const jsonFile = vscode.Uri.file(path.join(exportDir, 'chat.json'));
    const offered: string[] = [];
    const targets = [markdownFile, jsonFile];
    panel.dialogs = {
      confirmDelete: () => Promise.resolve(false),
      pickExportTarget: (defaultUri) => {
        offered.push(path.basename(defaultUri.fsPath));
        return Promise.resolve(targets.shift());
      },
    };
    await panel.handle({ type: 'export', sessionId, format: 'md' });
    await panel.handle({ type: 'export', sessionId, format: 'md' });
    assert.deepEqual(offered, ['Hello there.md', 'Hello there.md']);

    const markdown = fs.readFileSync(markdownFile.fsPath, 'utf8');
    assert.ok(markdown.includes('Hello there'), 'the export lacks the user message');
    assert.ok(markdown.includes(ANSWER.join('').trim()), 'the export lacks the answer');
    // The .json name picked the JSON format.
    const exported = JSON.parse(fs.readFileSync(jsonFile.fsPath, 'utf8')) as ChatExport;
    assert.equal(exported.exportVersion, 1);
    assert.equal(exported.session.id, sessionId);
    assert.equal(exported.messages[0]?.content, 'Hello there');
  });

  test('delete asks first', async () => {
    let confirmations = 0;
    let confirm = false;
    panel.dialogs = {
      confirmDelete: (title) => {
        confirmations += 1;
        assert.equal(title, 'Hello there');
        return Promise.resolve(confirm);
      },
      pickExportTarget: () => Promise.resolve(undefined),
    };
    await panel.handle({ type: 'deleteSession', sessionId });
    await api.client.request('GET', `/api/chat/sessions/${sessionId}`);

    confirm = true;
    const recorder = recordPosts(panel);
    await panel.handle({ type: 'deleteSession', sessionId });
    recorder.stop();
    assert.equal(confirmations, 2);
    assert.deepEqual(ofType(recorder.posts, 'sessionRemoved'), [
      { type: 'sessionRemoved', sessionId },
    ]);
    await assert.rejects(
      api.client.request('GET', `/api/chat/sessions/${sessionId}`),
      // The client's ApiError comes from the extension's bundle, not this one, so its class differs.
      (error: unknown) => (error as ApiError).status === 404,
    );
  });

  test('failures show in the panel', async () => {
    const recorder = recordPosts(panel);
    await panel.handle({ type: 'renameSession', sessionId, title: 'Gone' });
    recorder.stop();
    const [notice] = ofType(recorder.posts, 'notice');
    assert.equal(notice?.level, 'error');
    assert.match(notice?.message ?? '', /not found/i);
  });
});
