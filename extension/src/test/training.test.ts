import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type {
  ApiGpuHost,
  ApiTrainingMetric,
  ApiTrainingTask,
  GpuHostTestResult,
  HostKeyResponse,
} from '../../../shared/src/api/training.js';
import type {
  MonitorHostMessage,
  TrainingFormHostMessage,
} from '../../../shared/src/protocol/training.js';
import { signIn } from '../auth/signIn.js';
import type { WorkbenchApi } from '../extension.js';
import type { TrainingFormPanel } from '../panels/trainingFormPanel.js';
import type { TrainingMonitorPanel } from '../panels/trainingMonitorPanel.js';
import type { DeleteChoice, TrainingDialogs } from '../training/dialogs.js';
import { linesAfterLive, linesAfterTail, tailLines } from '../training/logLines.js';
import { TaskFollower, type FollowerListener } from '../training/taskFollower.js';
import type { TrainingApi } from '../training/trainingApi.js';
import type { TrainingTasksView, TrainingTreeNode } from '../views/trainingTasksView.js';
import { activateExtension, EXTENSION_ID, readTestConfig, waitFor } from './environment.js';
import { ScriptedPrompts } from './scriptedPrompts.js';

// The Training Tasks view, the task form and the monitor against the real server. The GPU host is
// a real OpenSSH server on loopback (scripts/with-sshd.sh) with the project's llamafactory-cli
// stand-in on its PATH, which trains a tiny LoRA on the CPU and writes trainer_log.jsonl the way
// LLaMA-Factory does. The tests run in order: add the host, create a task, run it, delete it.

suite('training log placement', () => {
  const cases: [name: string, known: string[], tail: string[], lines: string[], gap: boolean][] = [
    ['nothing known', [], ['a', 'b'], ['a', 'b'], false],
    ['tail repeats the end', ['a', 'b', 'c'], ['b', 'c', 'd', 'e'], ['d', 'e'], false],
    ['tail adds nothing', ['a', 'b'], ['a', 'b'], [], false],
    ['repeated line is not skipped', ['x', 'a', 'b'], ['x', 'a', 'b', 'a', 'b'], ['a', 'b'], false],
    ['longest run wins', ['p', 'q', 'b'], ['b', 'z', 'p', 'q', 'b', 'n'], ['n'], false],
    ['no overlap is a gap', ['a', 'b'], ['y', 'z'], ['y', 'z'], true],
  ];
  for (const [name, known, tail, lines, gap] of cases) {
    test(`tail: ${name}`, () => {
      assert.deepEqual(linesAfterTail(known, tail), { lines, gap });
    });
  }

  test('live batch drops what the tail delivered', () => {
    assert.deepEqual(linesAfterLive(['a', 'b', 'c'], ['b', 'c', 'd']), ['d']);
    assert.deepEqual(linesAfterLive(['a', 'b'], ['c', 'd']), ['c', 'd']);
    assert.deepEqual(linesAfterLive([], ['c']), ['c']);
  });

  test('tail text keeps whole lines only', () => {
    assert.deepEqual(tailLines('cut\nwhole\npartial', 10, false), ['whole']);
    assert.deepEqual(tailLines('first\nsecond\n', 0, false), ['first', 'second']);
    assert.deepEqual(tailLines('first\nlast', 0, true), ['first', 'last']);
    assert.deepEqual(tailLines('', 0, true), []);
  });
});

function metric(step: number, loss: number): ApiTrainingMetric {
  return {
    step,
    totalSteps: 6,
    loss,
    evalLoss: null,
    lr: 0.01,
    epoch: step / 3,
    throughput: null,
    time: '2025-01-01T12:00:00.000Z',
  };
}

function event(type: string, data: object) {
  return { event: type, data: JSON.stringify({ taskId: 1, ...data }) };
}

suite('training task follower', () => {
  test('reconnects without duplicates or gaps', async () => {
    // A stand-in for the server API: the first stream breaks after step 2 while the run goes on
    // to step 4; the second stream then finishes the task.
    const stored = [metric(1, 3), metric(2, 2.8), metric(3, 2.5), metric(4, 2.2)];
    const fullLog = ['start', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5'];
    let connections = 0;
    const api = {
      getTask: () => Promise.resolve(followedTask('completed')),
      metrics: () => Promise.resolve(connections === 1 ? stored.slice(0, 1) : stored),
      logTail: () =>
        Promise.resolve(
          connections === 1
            ? { text: 'start\nstep 1\n', offset: 0, size: 13 }
            : { text: 'tep 1\nstep 2\nstep 3\nstep 4\n', offset: 8, size: 34 },
        ),
      streamEvents(_taskId: number, options: { onEvent: (event: unknown) => void }) {
        connections += 1;
        const send = options.onEvent;
        send(event('progress', { ...followedTask('running').progress }));
        send(event('status', { status: 'running', exitCode: null, errorTail: null }));
        if (connections === 1) {
          send(event('metric', { metric: stored[1] }));
          send(event('log', { lines: ['step 2'] }));
          return Promise.reject(new Error('socket hang up'));
        }
        send(event('metric', { metric: stored[3] }));
        send(event('log', { lines: ['step 4', 'step 5'] }));
        send(event('metric', { metric: metric(5, 2) }));
        send(event('status', { status: 'completed', exitCode: 0, errorTail: null }));
        return Promise.resolve();
      },
    } as unknown as TrainingApi;
    const received = { metrics: [] as number[], lines: [] as string[], states: [] as string[] };
    const listener: FollowerListener = {
      task: () => undefined,
      metrics: (metrics) => received.metrics.push(...metrics.map((item) => item.step)),
      log: (lines) => received.lines.push(...lines),
      connection: (connection) => received.states.push(connection.state),
    };
    const log = { debug() {}, info() {}, warn() {}, error() {}, showError() {}, show() {} };
    const follower = new TaskFollower(followedTask('running'), api, listener, log);
    await follower.run();

    assert.equal(connections, 2);
    // Live records come first, then what the catch-up read adds; each step once.
    assert.deepEqual(
      [...received.metrics].sort((left, right) => left - right),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(
      follower.metrics.map((item) => item.step),
      [1, 2, 3, 4, 5],
    );
    assert.deepEqual(received.lines, fullLog);
    assert.deepEqual([...follower.lines], fullLog);
    assert.deepEqual(received.states, ['live', 'reconnecting', 'live', 'ended']);
    assert.equal(follower.task.status, 'completed');
  });
});

function followedTask(status: ApiTrainingTask['status']): ApiTrainingTask {
  return {
    id: 1,
    ownerId: 1,
    name: 'followed',
    baseModel: 'model',
    datasetId: 1,
    gpuHostId: 1,
    parameters: {} as ApiTrainingTask['parameters'],
    status,
    progress: { step: 2, totalSteps: 6, percent: 33, epoch: 1, remainingMs: 1000, elapsedMs: 500 },
    runDir: '/runs/1',
    processGroup: 1,
    exitCode: null,
    errorTail: null,
    adapterPath: null,
    swanlabUrl: null,
    queuePosition: null,
    createdAt: '2025-01-01T12:00:00.000Z',
    updatedAt: '2025-01-01T12:00:00.000Z',
    startedAt: null,
    finishedAt: null,
  };
}

/** A real sshd on loopback, held by scripts/with-sshd.sh until its standard input closes. */
interface LoopbackSshd {
  port: number;
  user: string;
  keyFile: string;
  hostKeyFile: string;
  dir: string;
  close(): Promise<void>;
}

async function startSshd(root: string): Promise<LoopbackSshd> {
  const child: ChildProcessWithoutNullStreams = spawn(
    'bash',
    [path.join(root, 'scripts/with-sshd.sh'), '--hold'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
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
    hostKeyFile: values.TEST_SSH_HOST_KEY_FILE ?? '',
    dir: values.TEST_SSH_DIR ?? '',
    close: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Dialog replies queued by the tests, with a record of what each dialog showed. */
class ScriptedDialogs implements TrainingDialogs {
  readonly shown: string[] = [];
  deleteChoice: DeleteChoice | undefined;
  keyFile: vscode.Uri | undefined;
  hostKeys: HostKeyResponse[] = [];
  hostTests: GpuHostTestResult[] = [];

  confirmDelete(task: ApiTrainingTask) {
    this.shown.push(`delete ${task.name}`);
    return Promise.resolve(this.deleteChoice);
  }
  confirmStop(task: ApiTrainingTask) {
    this.shown.push(`stop ${task.name}`);
    return Promise.resolve(true);
  }
  confirmHostKey(_host: ApiGpuHost, key: HostKeyResponse) {
    this.hostKeys.push(key);
    return Promise.resolve(true);
  }
  confirmDeleteHost(host: ApiGpuHost) {
    this.shown.push(`delete host ${host.name}`);
    return Promise.resolve(true);
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

/** Twelve Alpaca records; with batch size 2 and 2 epochs the stand-in trains 12 steps. */
function alpacaDataset(): string {
  const records = Array.from({ length: 12 }, (_, index) => ({
    instruction: `Name the number after ${index} (${Date.now()}).`,
    input: '',
    output: `The number after ${index} is ${index + 1}.`,
  }));
  return JSON.stringify(records, null, 2);
}

const TINY_PARAMETERS = {
  learningRate: 0.01,
  epochs: 2,
  batchSize: 2,
  gradientAccumulation: 1,
  loggingSteps: 1,
  saveSteps: 5,
  template: 'qwen',
};

suite('training tasks view', () => {
  let api: WorkbenchApi;
  let view: TrainingTasksView;
  let sshd: LoopbackSshd;
  let root: string;
  let datasetId: number;
  let host: ApiGpuHost;
  let task: ApiTrainingTask;
  let monitor: TrainingMonitorPanel | undefined;
  // The panels come from the commands: the test bundle has its own copy of the panel classes,
  // whose static `open` would always be empty.
  let form: TrainingFormPanel | undefined;
  const dialogs = new ScriptedDialogs();
  const prompts = new ScriptedPrompts();
  let restore: { dialogs: TrainingDialogs; prompts: TrainingTasksView['prompts'] };
  let signedInHere = false;

  suiteSetup(async function () {
    this.timeout(30_000);
    const config = readTestConfig();
    api = await activateExtension();
    view = api.views.trainingTasks;
    restore = { dialogs: view.dialogs, prompts: view.prompts };
    view.dialogs = dialogs;
    view.prompts = prompts;
    if ((await api.store.user()) === undefined) {
      await signIn(api.store, {
        serverUrl: config.serverUrl,
        login: config.login,
        password: config.password,
      });
      signedInHere = true;
    }
    root = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';
    sshd = await startSshd(root);
    datasetId = await uploadDataset(config.serverUrl, api.store.accessToken() ?? '');
  });

  suiteTeardown(async () => {
    monitor?.dispose();
    form?.dispose();
    view.dialogs = restore.dialogs;
    view.prompts = restore.prompts;
    await sshd?.close();
    if (signedInHere) {
      await api.authProvider.signOut();
    }
  });

  async function uploadDataset(serverUrl: string, token: string): Promise<number> {
    const body = new FormData();
    body.append('name', `training test ${Date.now()}`);
    body.append('file', new Blob([alpacaDataset()], { type: 'application/json' }), 'numbers.json');
    const response = await fetch(new URL('/api/datasets', serverUrl), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body,
    });
    const created = (await response.json()) as { dataset?: { id: number } };
    assert.equal(response.status, 201, JSON.stringify(created));
    return created.dataset?.id ?? 0;
  }

  async function childrenOf(node?: TrainingTreeNode): Promise<TrainingTreeNode[]> {
    return view.getChildren(node);
  }

  async function group(label: string): Promise<TrainingTreeNode | undefined> {
    return (await childrenOf()).find((node) => node.label === label);
  }

  test('Add GPU Host pins the host key shown', async function () {
    this.timeout(30_000);
    const name = `loopback ${Date.now()}`;
    dialogs.keyFile = vscode.Uri.file(sshd.keyFile);
    const standIn = path.join(root, 'server/src/testing/llamafactory-stand-in');
    prompts.answer(
      { input: name },
      { input: '~bad host', rejected: /not a host name or IP address/ },
      { input: '127.0.0.1' },
      { input: String(sshd.port) },
      { input: sshd.user },
      { input: '~/work', rejected: /does not expand ~/ },
      { input: path.join(sshd.dir, 'work') },
      { input: `export PATH='${standIn}':"$PATH"; export STANDIN_STEP_DELAY=0.1` },
      { input: '1' },
    );
    const added = await vscode.commands.executeCommand<ApiGpuHost | undefined>(
      'llmWorkbench.trainingTasks.addGpuHost',
    );
    prompts.assertDone();
    assert.ok(added, 'no host was added');
    host = added;

    // The fingerprint ssh-keygen computes from the host key file is the one shown and pinned.
    const expected = execFileSync('ssh-keygen', ['-lf', sshd.hostKeyFile], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)[1];
    assert.equal(dialogs.hostKeys.at(-1)?.fingerprint, expected);
    assert.equal(host.hostKeyFingerprint, expected);

    const hostsGroup = await group('GPU Hosts');
    assert.ok(hostsGroup, 'admins see no GPU Hosts group');
    const node = (await childrenOf(hostsGroup)).find((item) => item.label === name);
    assert.equal(node?.contextValue, 'gpuHost.confirmed');
  });

  test('Test GPU Host reports what the host lacks', async function () {
    this.timeout(30_000);
    const ok = await vscode.commands.executeCommand<boolean | undefined>(
      'llmWorkbench.trainingTasks.testGpuHost',
      { host },
    );
    const result = dialogs.hostTests.at(-1);
    assert.ok(result, 'no test result was shown');
    assert.equal(result.connected, true);
    // The stand-in prints a version for `llamafactory-cli version`; loopback has no GPU.
    assert.notEqual(result.llamaFactoryVersion, null);
    assert.deepEqual(result.gpus, []);
    assert.ok(result.findings.length > 0, 'no finding about the missing GPU');
    assert.equal(ok, result.ok);
  });

  test('form shows the server messages for rejected parameters', async () => {
    form = await vscode.commands.executeCommand<TrainingFormPanel>(
      'llmWorkbench.trainingTasks.create',
    );
    const posts: TrainingFormHostMessage[] = [];
    const listener = form.onDidPost((message) => posts.push(message));
    await form.handle({
      type: 'submit',
      start: false,
      request: {
        name: 'rejected',
        baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
        datasetId,
        gpuHostId: host.id,
        parameters: { learningRate: 0, batchSize: 2.5 },
      },
    });
    listener.dispose();
    const rejected = posts.find((message) => message.type === 'rejected');
    assert.ok(rejected?.type === 'rejected', 'the form got no rejection');
    // The same texts the webview's own checks show, so both read alike.
    assert.equal(
      rejected.fieldErrors['parameters.learningRate'],
      'must be a number above 0 and at most 1',
    );
    assert.equal(
      rejected.fieldErrors['parameters.batchSize'],
      'must be a whole number from 1 to 1024',
    );
    assert.equal(form.disposed, false, 'the form closed after a rejection');
  });

  test('form creates a task', async () => {
    assert.ok(form, 'the form was not opened');
    assert.equal(form.disposed, false, 'the form is closed');
    const posts: TrainingFormHostMessage[] = [];
    const listener = form.onDidPost((message) => posts.push(message));
    await form.handle({ type: 'ready' });
    const init = posts.find((message) => message.type === 'init');
    assert.ok(init?.type === 'init');
    assert.ok(init.datasets.some((dataset) => dataset.id === datasetId));
    assert.ok(init.hosts.some((choice) => choice.id === host.id && choice.ready));
    assert.equal(init.defaults?.ranges.loraRank.max, 1024);

    await form.handle({
      type: 'submit',
      start: false,
      request: {
        name: `numbers ${Date.now()}`,
        baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
        datasetId,
        gpuHostId: host.id,
        parameters: TINY_PARAMETERS,
      },
    });
    listener.dispose();
    assert.ok(form.created, 'no task was created');
    task = form.created;
    assert.equal(form.disposed, true, 'the form stayed open');
    const stored = await view.api.getTask(task.id);
    assert.equal(stored.status, 'pending');
    assert.equal(stored.parameters.learningRate, 0.01);
  });

  test('view shows the task under Pending', async () => {
    const pending = await group('Pending');
    assert.ok(pending, 'no Pending group');
    const node = (await childrenOf(pending)).find((item) => item.label === task.name);
    assert.ok(node, 'the task is not under Pending');
    assert.equal(node.contextValue, 'trainingTask.pending');
    assert.equal(node.description, 'not started');
    const tooltip = (node.tooltip as vscode.MarkdownString).value;
    assert.ok(tooltip.includes(host.name), `the tooltip does not name the host: ${tooltip}`);
    assert.match(tooltip, /Qwen\/Qwen2\.5-0\.5B-Instruct/);
    assert.match(tooltip, /training test/);
  });

  test('start runs the task and the monitor receives its metrics', async function () {
    this.timeout(40_000);
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
    assert.ok(['running', 'queued'].includes(started.status), started.status);
    await waitFor(
      'the task to complete in the monitor',
      () =>
        monitor?.taskFollower?.task.status === 'completed' &&
        monitor.taskFollower.connection.state === 'ended',
      30_000,
    );
    listener.dispose();

    const follower = monitor.taskFollower;
    assert.ok(follower);
    const steps = follower.metrics.map((item) => item.step);
    assert.deepEqual(
      steps,
      Array.from({ length: 12 }, (_, index) => index + 1),
    );
    // No metric reached the webview twice across the stream and the catch-up read. A step may be
    // posted again with new values: the stand-in logs the last step's loss, eval loss and end in
    // separate records, which can land in separate reads of the log.
    const posted = posts.flatMap((message) =>
      message.type === 'metrics' ? message.metrics.map((item) => JSON.stringify(item)) : [],
    );
    assert.equal(new Set(posted).size, posted.length, `metrics posted twice: ${posted.join('\n')}`);
    assert.ok(posted.length >= 1, 'no metrics were posted');
    const lines = posts.flatMap((message) => (message.type === 'log' ? message.lines : []));
    const stepLines = lines.filter((line) => /step \d+\/12$/.test(line));
    assert.equal(new Set(stepLines).size, stepLines.length, 'log lines posted twice');
    assert.ok(
      follower.lines.some((line) => line.includes('step 12/12')),
      'the log misses the end',
    );
    assert.ok(
      posts.some((message) => message.type === 'task' && message.task.status === 'completed'),
      'the monitor was not told the task completed',
    );

    const finished = await group('Finished');
    const node = (await childrenOf(finished)).find((item) => item.label === task.name);
    assert.equal(node?.contextValue, 'trainingTask.completed');
    assert.match(String(node?.description), /^completed/);
  });

  test('Open Report shows the Markdown report', async function () {
    this.timeout(20_000);
    const document = await vscode.commands.executeCommand<vscode.TextDocument>(
      'llmWorkbench.trainingTasks.openReport',
      { task },
    );
    assert.ok(document, 'no report was opened');
    assert.equal(document.languageId, 'markdown');
    assert.ok(document.getText().includes(task.name), 'the report does not name the task');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  test('Delete asks and removes the run directory too', async function () {
    this.timeout(20_000);
    const current = await view.api.getTask(task.id);
    assert.ok(current.runDir, 'the task has no run directory');
    const runDir = path.isAbsolute(current.runDir)
      ? current.runDir
      : path.join(sshd.dir, 'work', current.runDir);
    assert.ok(fs.existsSync(runDir), `${runDir} does not exist before the delete`);
    dialogs.deleteChoice = { removeRunDir: true };
    const deleted = await vscode.commands.executeCommand<boolean>(
      'llmWorkbench.trainingTasks.delete',
      { task: current },
    );
    assert.equal(deleted, true);
    assert.ok(dialogs.shown.includes(`delete ${task.name}`));
    // The error class of the extension bundle is not this bundle's ApiError, so its fields count.
    await assert.rejects(view.api.getTask(task.id), (error: unknown) => {
      assert.equal((error as { name?: string }).name, 'ApiError');
      assert.equal((error as { status?: number }).status, 404);
      return true;
    });
    assert.ok(!fs.existsSync(runDir), `${runDir} still exists`);
  });

  test('Delete GPU Host removes it', async () => {
    const deleted = await vscode.commands.executeCommand<boolean>(
      'llmWorkbench.trainingTasks.deleteGpuHost',
      { host },
    );
    assert.equal(deleted, true);
    const hosts = await view.api.listGpuHosts();
    assert.ok(!hosts.some((item) => item.id === host.id), 'the host is still listed');
  });
});
