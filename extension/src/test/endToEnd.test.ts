import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ApiComparison } from '../../../shared/src/api/compare.js';
import type { ApiModelConfig, SyncModelsResult } from '../../../shared/src/api/modelConfigs.js';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import type { ApiProvider } from '../../../shared/src/api/providers.js';
import type {
  ApiGpuHost,
  ApiTrainingTask,
  GpuHostTestResult,
  HostKeyResponse,
} from '../../../shared/src/api/training.js';
import type { ApiUser, TokenResponse } from '../../../shared/src/api/users.js';
import type { ChatHostMessage } from '../../../shared/src/protocol/chat.js';
import type { CompareHostMessage } from '../../../shared/src/protocol/compare.js';
import type { MonitorHostMessage } from '../../../shared/src/protocol/training.js';
import { signIn } from '../auth/signIn.js';
import type { UploadOutcome } from '../datasets/uploadFlow.js';
import type { WorkbenchApi } from '../extension.js';
import type { ChatPanel } from '../panels/chatPanel.js';
import type { ComparePanel } from '../panels/comparePanel.js';
import type { TrainingFormPanel } from '../panels/trainingFormPanel.js';
import type { TrainingMonitorPanel } from '../panels/trainingMonitorPanel.js';
import type { DeleteChoice, TrainingDialogs } from '../training/dialogs.js';
import type { ProviderNode } from '../views/nodes/providerNode.js';
import {
  activateExtension,
  EXTENSION_ID,
  readTestConfig,
  waitFor,
  type TestConfig,
} from './environment.js';
import { ScriptedPrompts } from './scriptedPrompts.js';

// One user's whole scenario, in order. The admin promotes a fresh account, which adds three
// providers on loopback fakes, chats with a reasoning model and compares three models. It saves a
// prompt to the library, uploads the Alpaca demo excerpt and trains on a loopback GPU host,
// watching the metrics and opening the report. Last, the admin API reports the usage. Each step
// goes through the command or panel a user would reach, and the feature suites cover the details.

/** Reasoning and content that the OpenAI-compatible fake streams for the reasoning model. */
const REASONING = ['The user ', 'greets me; ', 'greet back.'];
const ANSWER = ['Hello', ' from', ' the reasoner.'];
const REASONER_USAGE = { promptTokens: 9, completionTokens: 14, reasoningTokens: 6 };

/** API key that the reasoning fake accepts. */
const REASONER_KEY = 'sk-end-to-end-reasoner';

interface ReasonerFake {
  baseUrl: string;
  apiKey: string;
  close(): Promise<void>;
}

function completionChunk(delta: object, extra: object = {}): string {
  const body = {
    id: 'chatcmpl-e2e',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'deepseek-reasoner',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
  return `data: ${JSON.stringify(body)}\n\n`;
}

/**
 * Starts a DeepSeek-style server on 127.0.0.1: `GET /v1/models` lists deepseek-reasoner, and a
 * streamed chat completion sends REASONING as `reasoning_content`, then ANSWER, then the usage.
 * The harness's OpenAI fake runs in the runner process and streams no reasoning, so this fake
 * runs in the extension host instead.
 */
async function startReasonerFake(): Promise<ReasonerFake> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.headers.authorization !== `Bearer ${REASONER_KEY}`) {
        response.writeHead(401, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'Invalid API key' } }));
      } else if (request.method === 'GET' && request.url === '/v1/models') {
        response.writeHead(200, { 'content-type': 'application/json' });
        const model = { id: 'deepseek-reasoner', object: 'model', owned_by: 'deepseek' };
        response.end(JSON.stringify({ object: 'list', data: [model] }));
      } else if (request.method === 'POST' && request.url === '/v1/chat/completions') {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const usage = {
          prompt_tokens: REASONER_USAGE.promptTokens,
          completion_tokens: REASONER_USAGE.completionTokens,
          total_tokens: REASONER_USAGE.promptTokens + REASONER_USAGE.completionTokens,
          completion_tokens_details: { reasoning_tokens: REASONER_USAGE.reasoningTokens },
        };
        response.end(
          [
            completionChunk({ role: 'assistant', content: '' }),
            ...REASONING.map((text) => completionChunk({ reasoning_content: text })),
            ...ANSWER.map((text) => completionChunk({ content: text })),
            completionChunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
            completionChunk({}, { choices: [], usage }),
            'data: [DONE]\n\n',
          ].join(''),
        );
      } else {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `Not found: ${request.url}` } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    apiKey: REASONER_KEY,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Dollars per million tokens for every model config of this scenario. */
const PRICE_INPUT = '2';
const PRICE_OUTPUT = '8';

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** Training dialogs that accept every confirmation and record the host test results. */
class ConfirmingDialogs implements TrainingDialogs {
  keyFile: vscode.Uri | undefined;
  readonly hostKeys: HostKeyResponse[] = [];
  readonly hostTests: GpuHostTestResult[] = [];

  confirmDelete(): Promise<DeleteChoice | undefined> {
    return Promise.resolve(undefined);
  }
  confirmStop() {
    return Promise.resolve(true);
  }
  confirmHostKey(_host: ApiGpuHost, key: HostKeyResponse) {
    this.hostKeys.push(key);
    return Promise.resolve(true);
  }
  confirmDeleteHost() {
    return Promise.resolve(false);
  }
  pickPrivateKey() {
    return Promise.resolve(this.keyFile);
  }
  showHostTest(_host: ApiGpuHost, result: GpuHostTestResult) {
    this.hostTests.push(result);
    return Promise.resolve();
  }
  pickLogTarget() {
    return Promise.resolve(undefined);
  }
}

/** A real sshd on loopback, held by scripts/with-sshd.sh until its standard input closes. */
interface LoopbackSshd {
  port: number;
  user: string;
  keyFile: string;
  dir: string;
  close(): Promise<void>;
}

async function startSshd(root: string): Promise<LoopbackSshd> {
  const child = spawn('bash', [path.join(root, 'scripts/with-sshd.sh'), '--hold'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const values: Record<string, string> = {};
  for await (const line of readline.createInterface({ input: child.stdout })) {
    if (line === 'ready') {
      break;
    }
    const [name, ...value] = line.split('=');
    values[name ?? ''] = value.join('=');
  }
  if (values.TEST_SSH_PORT === undefined) {
    throw new Error(`scripts/with-sshd.sh did not start sshd: ${stderr.join('')}`);
  }
  return {
    port: Number(values.TEST_SSH_PORT),
    user: values.TEST_SSH_USER ?? '',
    keyFile: values.TEST_SSH_KEY_FILE ?? '',
    dir: values.TEST_SSH_DIR ?? '',
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Closes every text editor without saving, so closing the remaining editors opens no dialog. */
async function revertAndCloseTextEditors(): Promise<void> {
  for (let closed = 0; closed < 50; closed += 1) {
    const tab = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((candidate) => candidate.input instanceof vscode.TabInputText);
    if (tab === undefined) {
      return;
    }
    await vscode.window.showTextDocument((tab.input as vscode.TabInputText).uri, {
      viewColumn: tab.group.viewColumn,
    });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

/** Sends a JSON request to the server outside the extension, as a browser or script would. */
async function serverRequest<T>(
  config: TestConfig,
  method: string,
  route: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: T }> {
  const { body, token } = options;
  const response = await fetch(new URL(route, config.serverUrl), {
    method,
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
}

suite('end to end', () => {
  let config: TestConfig;
  let api: WorkbenchApi;
  let root: string;
  let reasonerFake: ReasonerFake;
  let sshd: LoopbackSshd | undefined;
  const run = Date.now().toString(36);
  const account = {
    email: `newcomer-${run}@tests.llm-workbench.local`,
    nickname: `newcomer${run}`,
    password: 'end-to-end-password-1',
  };
  let user: ApiUser;
  const configs = new Map<string, ApiModelConfig>();
  let chatPanel: ChatPanel | undefined;
  let comparePanel: ComparePanel | undefined;
  let monitor: TrainingMonitorPanel | undefined;
  let datasetId: number;
  let host: ApiGpuHost;
  let task: ApiTrainingTask;
  const dialogs = new ConfirmingDialogs();
  let restore: {
    providers: WorkbenchApi['views']['providers']['prompts'];
    prompts: WorkbenchApi['views']['prompts']['prompts'];
    datasets: WorkbenchApi['views']['datasets']['prompts'];
    training: WorkbenchApi['views']['trainingTasks']['prompts'];
    trainingDialogs: TrainingDialogs;
  };
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-end-to-end-'));

  suiteSetup(async function () {
    this.timeout(30_000);
    config = readTestConfig();
    api = await activateExtension();
    root = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';
    restore = {
      providers: api.views.providers.prompts,
      prompts: api.views.prompts.prompts,
      datasets: api.views.datasets.prompts,
      training: api.views.trainingTasks.prompts,
      trainingDialogs: api.views.trainingTasks.dialogs,
    };
    reasonerFake = await startReasonerFake();
    // The earlier suites may leave a session behind, so this scenario signs it out first.
    if ((await api.store.user()) !== undefined) {
      await api.authProvider.signOut();
    }
  });

  suiteTeardown(async () => {
    chatPanel?.dispose();
    comparePanel?.dispose();
    monitor?.dispose();
    api.views.providers.prompts = restore.providers;
    api.views.prompts.prompts = restore.prompts;
    api.views.datasets.prompts = restore.datasets;
    api.views.trainingTasks.prompts = restore.training;
    api.views.trainingTasks.dialogs = restore.trainingDialogs;
    await revertAndCloseTextEditors();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // The UI test later signs in as the admin, whose views must not show this user's GPU host.
    if ((await api.store.user()) !== undefined) {
      for (const route of [
        task === undefined ? undefined : `/api/training/tasks/${task.id}`,
        host === undefined ? undefined : `/api/gpu-hosts/${host.id}`,
      ]) {
        if (route !== undefined) {
          await api.client.request('DELETE', route).catch(() => undefined);
        }
      }
    }
    await reasonerFake?.close();
    await sshd?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
    if ((await api.store.user()) !== undefined) {
      await api.authProvider.signOut();
    }
  });

  test('admin promotes a new account', async () => {
    const registered = await serverRequest<{ user: ApiUser }>(
      config,
      'POST',
      '/api/auth/register',
      { body: account },
    );
    assert.equal(registered.status, 201, JSON.stringify(registered.body));
    assert.equal(registered.body.user.role, 'user');

    const admin = await serverRequest<TokenResponse>(config, 'POST', '/api/auth/login', {
      body: { login: config.login, password: config.password },
    });
    assert.equal(admin.status, 200, JSON.stringify(admin.body));
    const promoted = await serverRequest<{ user: ApiUser }>(
      config,
      'PATCH',
      `/api/admin/users/${registered.body.user.id}`,
      { body: { role: 'admin' }, token: admin.body.accessToken },
    );
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.equal(promoted.body.user.role, 'admin');
  });

  test('signs in with the new account', async () => {
    user = await signIn(api.store, {
      serverUrl: config.serverUrl,
      login: account.nickname,
      password: account.password,
    });
    assert.equal(user.email, account.email);
    assert.equal(user.role, 'admin', 'the session does not carry the granted role');
    assert.equal((await api.store.user())?.nickname, account.nickname);
  });

  async function providerNode(name: string): Promise<ProviderNode> {
    const roots = (await api.views.providers.getChildren()) as vscode.TreeItem[];
    const node = roots.find((item) => labelOf(item) === name);
    assert.ok(node, `no provider ${name} in the tree: ${roots.map(labelOf).join(', ')}`);
    return node as ProviderNode;
  }

  async function addProvider(
    kind: string,
    name: string,
    endpoint: { baseUrl: string; apiKey: string },
  ): Promise<ApiProvider> {
    const prompts = new ScriptedPrompts();
    api.views.providers.prompts = prompts;
    prompts.answer(
      { pick: kind },
      { input: name },
      { input: endpoint.baseUrl },
      { input: endpoint.apiKey },
    );
    const provider = await vscode.commands.executeCommand<ApiProvider>(
      'llmWorkbench.providers.add',
    );
    prompts.assertDone();
    assert.ok(provider, `${name} was not added: ${JSON.stringify(prompts.errors)}`);
    assert.equal(provider.name, name);
    assert.equal(provider.baseUrl, endpoint.baseUrl);
    return provider;
  }

  test('adds OpenAI-compatible, Anthropic and Ollama providers', async () => {
    const added = [
      await addProvider('OpenAI-Compatible', 'Reasoner', {
        baseUrl: reasonerFake.baseUrl,
        apiKey: reasonerFake.apiKey,
      }),
      await addProvider('Anthropic', 'Claude', config.providers.anthropic),
      await addProvider('Ollama', 'Ollama', config.providers.ollama),
    ];
    assert.deepEqual(
      added.map((provider) => provider.kind),
      ['openai-compatible', 'anthropic', 'ollama'],
    );
  });

  async function syncAndAddConfig(
    providerName: string,
    modelId: string,
    displayName: string,
  ): Promise<void> {
    const prompts = new ScriptedPrompts();
    api.views.providers.prompts = prompts;
    const synced = await vscode.commands.executeCommand<SyncModelsResult>(
      'llmWorkbench.providers.syncModels',
      await providerNode(providerName),
    );
    assert.ok(synced, `${providerName} did not sync: ${JSON.stringify(prompts.errors)}`);
    assert.ok(
      synced.models.some((model) => model.modelId === modelId),
      `${providerName} lists no ${modelId}`,
    );

    prompts.answer(
      { pick: modelId },
      { input: displayName },
      { keep: true },
      { keep: true },
      { keep: true },
      { keep: true },
      { pick: 'Off' },
      { input: PRICE_INPUT },
      { input: PRICE_OUTPUT },
    );
    const created = await vscode.commands.executeCommand<ApiModelConfig>(
      'llmWorkbench.providers.addModelConfig',
      await providerNode(providerName),
    );
    prompts.assertDone();
    assert.ok(created, `no model config for ${modelId}: ${JSON.stringify(prompts.errors)}`);
    assert.equal(created.modelId, modelId);
    assert.equal(created.displayName, displayName);
    configs.set(displayName, created);
  }

  test('adds a model config per provider', async function () {
    this.timeout(30_000);
    await syncAndAddConfig('Reasoner', 'deepseek-reasoner', 'DeepSeek Reasoner');
    await syncAndAddConfig('Claude', 'claude-sonnet-4-5-20250929', 'Claude Sonnet');
    await syncAndAddConfig('Ollama', 'llama3.2:latest', 'Llama');
  });

  test('chat streams reasoning and content', async function () {
    this.timeout(30_000);
    const reasoner = configs.get('DeepSeek Reasoner');
    assert.ok(reasoner);
    chatPanel = await vscode.commands.executeCommand<ChatPanel | undefined>(
      'llmWorkbench.chat.openWithModel',
      { config: reasoner },
    );
    assert.ok(chatPanel, 'Chat with This Model opened no panel');
    const posts: ChatHostMessage[] = [];
    const listener = chatPanel.onDidPost((message) => posts.push(message));
    await waitFor(
      'the chat webview to start',
      () => posts.some((message) => message.type === 'sessions'),
      15_000,
    );

    await chatPanel.handle({
      type: 'send',
      sessionId: null,
      modelConfigId: reasoner.id,
      content: 'Hello, reasoner',
      stream: true,
    });
    listener.dispose();

    const deltas = posts.flatMap((message) => (message.type === 'streamDelta' ? [message] : []));
    assert.equal(deltas.map((delta) => delta.reasoning ?? '').join(''), REASONING.join(''));
    assert.equal(deltas.map((delta) => delta.content ?? '').join(''), ANSWER.join(''));
    const end = posts.find((message) => message.type === 'streamEnd');
    assert.ok(end?.type === 'streamEnd', 'the answer did not end');
    assert.equal(end.message.status, 'complete');
    assert.equal(end.message.reasoning, REASONING.join(''));
    assert.equal(end.message.content, ANSWER.join(''));
    assert.equal(end.message.usage?.reasoningTokens, REASONER_USAGE.reasoningTokens);
  });

  test('compares the three models', async function () {
    this.timeout(30_000);
    comparePanel = await vscode.commands.executeCommand<ComparePanel>('llmWorkbench.compare.open');
    const posts: CompareHostMessage[] = [];
    const listener = comparePanel.onDidPost((message) => posts.push(message));
    const models = await waitFor(
      'the models of the compare panel',
      () => posts.find((message) => message.type === 'models'),
      30_000,
    );
    assert.ok(models.type === 'models');
    const ids = [...configs.values()].map((item) => item.id);
    for (const id of ids) {
      assert.ok(
        models.models.some((model) => model.id === id),
        `model config ${id} is not offered`,
      );
    }

    await comparePanel.handle({
      type: 'run',
      prompt: 'Say hello to {{who}}.',
      variables: { who: 'the newcomer' },
      slots: ids.map((modelConfigId) => ({ modelConfigId })),
    });
    listener.dispose();

    const complete = posts.find((message) => message.type === 'complete');
    assert.ok(complete?.type === 'complete', 'the comparison did not complete');
    const comparison: ApiComparison = complete.comparison;
    assert.equal(comparison.prompt, 'Say hello to the newcomer.');
    assert.deepEqual(
      comparison.results.map((result) => [result.modelConfigName, result.status]),
      [...configs.keys()].map((name) => [name, 'complete']),
    );
    const [reasonerResult, claudeResult, llamaResult] = comparison.results;
    assert.equal(reasonerResult?.content, ANSWER.join(''));
    assert.equal(claudeResult?.content, 'Hello!');
    assert.equal(llamaResult?.content, 'Hello from Ollama.');
    for (const result of comparison.results) {
      assert.ok((result.cost ?? 0) > 0, `${result.modelConfigName} has no cost`);
    }
  });

  test('saves a prompt to the library', async () => {
    const file = path.join(workDir, 'greeter.prompt.json');
    fs.writeFileSync(
      file,
      '[{"role": "system", "content": "Greet {{name}} in one sentence."}]\n',
      'utf8',
    );
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);
    const prompts = new ScriptedPrompts();
    api.views.prompts.prompts = prompts;
    prompts.answer({ input: `Greeter ${run}` }, { input: 'Onboarding' });

    const saved = await vscode.commands.executeCommand<ApiPrompt>(
      'llmWorkbench.prompts.saveToLibrary',
    );

    prompts.assertDone();
    assert.ok(saved, JSON.stringify(prompts.errors));
    assert.equal(saved.name, `Greeter ${run}`);
    assert.equal(saved.category, 'Onboarding');
    assert.deepEqual(saved.variables, [{ name: 'name' }]);
    const listed = await api.client.request<{ prompts: ApiPrompt[] }>('GET', '/api/prompts');
    assert.ok(
      listed.prompts.some((item) => item.id === saved.id),
      'the library does not list it',
    );
  });

  test('uploads the Alpaca demo excerpt', async function () {
    this.timeout(20_000);
    const file = path.join(workDir, 'alpaca_en_demo.excerpt.json');
    fs.copyFileSync(
      path.join(root, 'extension/src/test/fixtures/datasets/alpaca_en_demo.excerpt.json'),
      file,
    );
    const prompts = new ScriptedPrompts();
    api.views.datasets.prompts = prompts;
    prompts.answer({ input: `Alpaca demo ${run}` });
    const uri = vscode.Uri.file(file);

    const outcomes = await vscode.commands.executeCommand<UploadOutcome[]>(
      'llmWorkbench.datasets.uploadFile',
      uri,
      [uri],
    );

    prompts.assertDone();
    const [outcome] = outcomes;
    assert.equal(outcome?.status, 'uploaded', JSON.stringify(prompts.errors));
    assert.ok(outcome.dataset);
    assert.equal(outcome.dataset.schema, 'alpaca');
    assert.equal(outcome.dataset.recordCount, 5);
    assert.equal(outcome.dataset.invalidCount, 0);
    datasetId = outcome.dataset.id;
    const roots = await api.views.datasets.getChildren();
    assert.ok(roots.some((item) => labelOf(item) === `Alpaca demo ${run}`));
  });

  test('registers the loopback GPU host', async function () {
    this.timeout(30_000);
    sshd = await startSshd(root);
    const view = api.views.trainingTasks;
    view.dialogs = dialogs;
    const prompts = new ScriptedPrompts();
    view.prompts = prompts;
    dialogs.keyFile = vscode.Uri.file(sshd.keyFile);
    const standIn = path.join(root, 'server/src/testing/llamafactory-stand-in');
    prompts.answer(
      { input: `loopback ${run}` },
      { input: '127.0.0.1' },
      { input: String(sshd.port) },
      { input: sshd.user },
      { input: path.join(sshd.dir, 'work') },
      { input: `export PATH='${standIn}':"$PATH"; export STANDIN_STEP_DELAY=0.1` },
      { input: '1' },
    );

    const added = await vscode.commands.executeCommand<ApiGpuHost | undefined>(
      'llmWorkbench.trainingTasks.addGpuHost',
    );

    prompts.assertDone();
    assert.ok(added, `no host was added: ${JSON.stringify(prompts.errors)}`);
    host = added;
    assert.equal(dialogs.hostKeys.length, 1, 'the host key was not shown for confirmation');
    assert.equal(host.hostKeyFingerprint, dialogs.hostKeys[0]?.fingerprint);
    await vscode.commands.executeCommand('llmWorkbench.trainingTasks.testGpuHost', { host });
    assert.equal(dialogs.hostTests.at(-1)?.connected, true);
  });

  test('training run streams its metrics', async function () {
    this.timeout(60_000);
    const form = await vscode.commands.executeCommand<TrainingFormPanel>(
      'llmWorkbench.trainingTasks.create',
    );
    await form.handle({
      type: 'submit',
      start: false,
      request: {
        name: `first run ${run}`,
        baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
        datasetId,
        gpuHostId: host.id,
        parameters: {
          learningRate: 0.01,
          epochs: 2,
          batchSize: 2,
          gradientAccumulation: 1,
          loggingSteps: 1,
          saveSteps: 5,
          template: 'qwen',
        },
      },
    });
    assert.ok(form.created, 'the form created no task');
    task = form.created;

    monitor = await vscode.commands.executeCommand<TrainingMonitorPanel>(
      'llmWorkbench.trainingTasks.openMonitor',
      { task },
    );
    const posts: MonitorHostMessage[] = [];
    const listener = monitor.onDidPost((message) => posts.push(message));
    await monitor.handle({ type: 'ready' });
    const started = await vscode.commands.executeCommand<ApiTrainingTask>(
      'llmWorkbench.trainingTasks.start',
      task.id,
    );
    assert.ok(started, 'the task did not start');
    await waitFor(
      'the training run to complete in the monitor',
      () =>
        monitor?.taskFollower?.task.status === 'completed' &&
        monitor.taskFollower.connection.state === 'ended',
      45_000,
    );
    listener.dispose();

    const metrics = monitor.taskFollower?.metrics ?? [];
    assert.ok(metrics.length > 1, `only ${metrics.length} metrics arrived`);
    const last = metrics.at(-1);
    assert.equal(last?.step, last?.totalSteps, 'the metrics stop before the last step');
    assert.ok(
      metrics.every((item) => item.loss !== null && Number.isFinite(item.loss)),
      'a metric has no loss',
    );
    assert.ok(
      posts.some((message) => message.type === 'metrics' && message.metrics.length > 0),
      'the monitor webview was sent no metrics',
    );
  });

  test('opens the training report', async function () {
    this.timeout(20_000);
    const document = await vscode.commands.executeCommand<vscode.TextDocument>(
      'llmWorkbench.trainingTasks.openReport',
      { task },
    );
    assert.ok(document, 'no report was opened');
    assert.equal(document.languageId, 'markdown');
    const text = document.getText();
    assert.ok(text.includes(task.name), 'the report does not name the task');
    assert.ok(text.includes(`Alpaca demo ${run}`), 'the report does not name the dataset');
    // The report is an untitled document, so reverting closes it without a save dialog.
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('admin usage counts chat and comparison', async () => {
    const usage = await api.client.request<{
      byUser: { userId: number | null; requests: number; reasoningTokens: number }[];
      byModel: { modelConfigId: number | null; requests: number; cost: number }[];
    }>('GET', '/api/admin/usage');

    const mine = usage.byUser.find((row) => row.userId === user.id);
    assert.ok(mine, `the usage report has no row for ${account.nickname}`);
    // One chat response and three comparison slots.
    assert.equal(mine.requests, 4);
    // The chat response and the reasoner's comparison slot each reported reasoning tokens.
    assert.equal(mine.reasoningTokens, 2 * REASONER_USAGE.reasoningTokens);
    const requestsOf = (name: string) =>
      usage.byModel.find((row) => row.modelConfigId === configs.get(name)?.id);
    assert.equal(requestsOf('DeepSeek Reasoner')?.requests, 2);
    assert.equal(requestsOf('Claude Sonnet')?.requests, 1);
    assert.equal(requestsOf('Llama')?.requests, 1);
    for (const name of configs.keys()) {
      assert.ok((requestsOf(name)?.cost ?? 0) > 0, `${name} has no cost in the report`);
    }
  });
});
