import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type {
  ApiTrainingMetric,
  ApiTrainingTask,
  TrainingDefaultsResponse,
} from '../../../shared/src/api/training.js';
import { AuditLog } from '../models/index.js';
import { startTestSshd, type TestSshd } from '../testing/sshd.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import {
  ALPACA_DATASET_ID,
  collectEvents,
  FAST_TRAINING_ENV,
  fixtureDatasets,
  hostBody,
  metricsOf,
  readTrainerLog,
  standInSetup,
  TINY_PARAMETERS,
  waitForTask,
} from '../testing/trainingFixture.js';
import { trainingOf } from '../training/registry.js';

interface TaskResponse {
  task: ApiTrainingTask;
  error: { code: string; message: string };
}

const finished = (task: ApiTrainingTask) =>
  ['completed', 'failed', 'stopped'].includes(task.status);

describe(`training tasks against a real sshd (${testDialect})`, () => {
  let sshd: TestSshd;
  let server: TestServer;
  let admin: string;
  let adminId: number;
  let alice: string;
  let aliceId: number;
  let bob: string;
  const hosts: Record<string, number> = {};

  before(async () => {
    sshd = await startTestSshd();
    server = await TestServer.start({ ...FAST_TRAINING_ENV, AUTH_MAX_FAILURES: '1000' });
    trainingOf(server.running.services).useDatasetSource(fixtureDatasets);
    ({ accessToken: admin, userId: adminId } = await server.logInAdmin());
    ({ accessToken: alice, userId: aliceId } = await server.signUp('alice'));
    bob = (await server.signUp('bob')).accessToken;
    hosts.fast = await addHost('fast', {});
    hosts.slow = await addHost('slow', { setupCommand: standInSetup(0.15), maxConcurrentRuns: 4 });
    hosts.queue = await addHost('queue', { setupCommand: standInSetup(0.03) });
  });

  after(async () => {
    await server.close();
    await sshd.close();
  });

  /** The caller with a user's token. */
  const as = (token: string) => ({ url: server.url, token });

  async function addHost(name: string, overrides: Record<string, unknown>): Promise<number> {
    const response = await server.request<{ gpuHost: { id: number } }>('POST', '/api/gpu-hosts', {
      token: admin,
      body: hostBody(sshd, {
        name,
        workDir: `${sshd.dir}/work-${name}`,
        hostKeyFingerprint: sshd.hostKeyFingerprint(),
        ...overrides,
      }),
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.gpuHost.id;
  }

  const createTask = (token: string, body: Record<string, unknown>) =>
    server.request<TaskResponse>('POST', '/api/training/tasks', {
      token,
      body: {
        name: 'tiny run',
        baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
        datasetId: ALPACA_DATASET_ID,
        gpuHostId: hosts.fast,
        ...body,
        parameters: { ...TINY_PARAMETERS, ...(body.parameters as object | undefined) },
      },
    });

  const action = (token: string, id: number, verb: 'start' | 'stop' | 'resume') =>
    server.request<TaskResponse>('POST', `/api/training/tasks/${id}/${verb}`, { token });

  test('defaults explain every parameter', async () => {
    const response = await server.request<TrainingDefaultsResponse>(
      'GET',
      '/api/training/defaults',
      {
        token: alice,
      },
    );

    assert.equal(response.status, 200);
    for (const key of Object.keys(response.body.defaults)) {
      const explanation =
        response.body.explanations[key as keyof typeof response.body.explanations];
      assert.ok(explanation.length > 20, `explanation of ${key}`);
    }
    assert.deepEqual(response.body.ranges.batchSize, { min: 1, max: 1024, integer: true });
  });

  const invalid: [string, Record<string, unknown>, RegExp][] = [
    [
      'zero learning rate',
      { learningRate: 0 },
      /learningRate: must be a number above 0 and at most 1$/,
    ],
    ['fractional batch', { batchSize: 1.5 }, /batchSize: must be a whole number from 1 to 1024$/],
    ['dropout of 1', { loraDropout: 1 }, /loraDropout: must be a number from 0 to 0\.9$/],
    ['unknown scheduler', { scheduler: 'fast' }, /scheduler: must be one of linear, cosine/],
    ['3-bit quantization', { quantizationBits: 3 }, /quantizationBits: must be 4, 8 or null$/],
    [
      'all plus modules',
      { loraTargets: ['all', 'q_proj'] },
      /loraTargets: must be \["all"\] alone/,
    ],
    ['module with a space', { loraTargets: ['q proj'] }, /loraTargets\.0: must be a module name/],
    ['template with a slash', { template: '../x' }, /template: must be a LLaMA-Factory template/],
    [
      'validation split 0.6',
      { validationSplit: 0.6 },
      /validationSplit: must be a number from 0 to 0\.5$/,
    ],
    ['unknown parameter', { learning_rate: 1 }, /parameters/],
  ];
  for (const [name, parameters, message] of invalid) {
    test(`create rejects ${name}`, async () => {
      const response = await createTask(alice, { parameters });

      assert.equal(response.status, 400);
      assert.match(response.body.error.message, message);
    });
  }

  test('create rejects unknown dataset and host', async () => {
    const dataset = await createTask(alice, { datasetId: 99 });
    const host = await createTask(alice, { gpuHostId: 999 });

    assert.equal(dataset.status, 400);
    assert.match(dataset.body.error.message, /body\.datasetId: dataset 99 was not found/);
    assert.equal(host.status, 400);
    assert.match(host.body.error.message, /body\.gpuHostId: GPU host 999 was not found/);
  });

  test('full run stores falling loss', async () => {
    const created = await createTask(alice, {
      name: 'full run',
      parameters: { validationSplit: 0.2, swanlab: true, swanlabProject: 'tests' },
    });
    const id = created.body.task.id;
    assert.equal(created.body.task.status, 'pending');
    assert.equal(created.body.task.parameters.loraRank, 8);
    const events = collectEvents(as(alice), id);

    const started = await action(alice, id, 'start');
    const task = await waitForTask(as(alice), id, finished);
    const streamed = await events;

    assert.equal(started.body.task.status, 'running');
    assert.equal(task.status, 'completed', task.errorTail ?? '');
    assert.equal(task.exitCode, 0);
    assert.equal(task.progress.percent, 100);
    assert.equal(task.progress.step, task.progress.totalSteps);
    assert.ok(task.runDir?.endsWith(`/work-fast/llm-workbench/runs/${id}`));
    assert.equal(task.adapterPath, `${task.runDir}/output`);
    assert.ok(fs.existsSync(`${task.adapterPath}/adapter_model.json`));
    assert.match(task.swanlabUrl ?? '', /^https:\/\/swanlab\.cn\/@workbench\/tests\/runs\/\w+$/);

    const metrics = await metricsOf(as(alice), id);
    assertMatchesTrainerLog(metrics, readTrainerLog(task.runDir ?? ''));
    const losses = metrics.flatMap((metric) => (metric.loss === null ? [] : [metric.loss]));
    assert.ok(mean(losses.slice(-4)) < mean(losses.slice(0, 4)), `loss fell: ${losses.join(', ')}`);
    assert.ok(metrics.some((metric) => metric.evalLoss !== null));
    assert.ok(metrics.some((metric) => metric.throughput !== null));

    const logText = fs.readFileSync(`${task.runDir}/train.log`, 'utf8');
    const streamedLines = streamed
      .filter((event) => event.event === 'log')
      .flatMap((event) => (JSON.parse(event.data) as { lines: string[] }).lines);
    assert.deepEqual(streamedLines, logText.replace(/\n$/, '').split('\n'));
    const metricEvents = streamed.filter((event) => event.event === 'metric');
    assert.ok(metricEvents.length >= metrics.length);
    const statuses = streamed
      .filter((event) => event.event === 'status')
      .map((event) => (JSON.parse(event.data) as { status: string }).status);
    assert.deepEqual([statuses[0], statuses.at(-1)], ['pending', 'completed']);
    assert.ok(statuses.includes('running'));
  });

  test('report shows losses, parameters and curves', async () => {
    const id = await runToEnd(alice, { name: 'reported <b>name</b> | pipe' });

    const markdown = await fetchText(`/api/training/tasks/${id}/report?format=md`, alice);
    const html = await fetchText(`/api/training/tasks/${id}/report?format=html`, alice);
    const json = await server.request<{
      report: { bestLoss: { value: number }; curves: { loss: unknown[] } };
    }>('GET', `/api/training/tasks/${id}/report?format=json`, { token: alice });

    assert.match(markdown.text, /^# Training report: reported \\<b\\>name\\<\/b\\> \\\| pipe$/m);
    assert.match(markdown.text, /\| Best loss \| [\d.]+ at step \d+ \|/);
    assert.match(markdown.text, /\| learningRate \| 0\.01 \|/);
    assert.match(markdown.text, /\| Dataset \| alpaca\\_en\\_demo excerpt \(id 1\), 24 records/);
    assert.match(markdown.text, /```json\n\{"loss":\[\[1,/);
    assert.equal(markdown.type, 'text/markdown; charset=utf-8');
    assert.match(html.text, /<h1>Training report: reported &lt;b&gt;name&lt;\/b&gt; \| pipe<\/h1>/);
    assert.match(html.text, /<polyline /);
    assert.ok(json.body.report.curves.loss.length > 0);
    assert.ok(json.body.report.bestLoss.value > 0);
  });

  test('stop midway, then resume', async () => {
    const created = await createTask(alice, { name: 'stopped run', gpuHostId: hosts.slow });
    const id = created.body.task.id;
    await action(alice, id, 'start');
    await waitForTask(as(alice), id, (task) => task.progress.step >= 7);

    const stopping = await action(alice, id, 'stop');
    const stopped = await waitForTask(as(alice), id, finished);

    assert.equal(stopping.body.task.status, 'stopping');
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.exitCode, 0, 'SIGABRT lets the stand-in save and exit 0');
    assert.ok(stopped.progress.step < (stopped.progress.totalSteps ?? 0));
    assert.equal(stopped.adapterPath, `${stopped.runDir}/output`);
    const log = fs.readFileSync(`${stopped.runDir}/train.log`, 'utf8');
    assert.match(log, /Training aborted at step \d+; saving the adapter/);

    const resumed = await action(alice, id, 'resume');
    const done = await waitForTask(as(alice), id, finished);

    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(done.status, 'completed', done.errorTail ?? '');
    assert.match(
      fs.readFileSync(`${done.runDir}/train.log`, 'utf8'),
      /Resuming training from output\/checkpoint-(5|10) at step (5|10)\./,
    );
    const metrics = await metricsOf(as(alice), id);
    assert.deepEqual(
      metrics.map((metric) => metric.step),
      Array.from({ length: done.progress.totalSteps ?? 0 }, (_, index) => index + 1),
    );
  });

  test('task lifecycle is audited', async () => {
    const created = await createTask(alice, { name: 'audited run', gpuHostId: hosts.slow });
    const id = created.body.task.id;
    const started = await action(alice, id, 'start');
    // Past the checkpoint at step 5, so that resume has one to start from.
    await waitForTask(as(alice), id, (task) => task.progress.step >= 6);
    const stopped = await action(admin, id, 'stop');
    await waitForTask(as(alice), id, finished);
    const resumed = await action(alice, id, 'resume');
    await waitForTask(as(alice), id, finished);
    const deleted = await server.request('DELETE', `/api/training/tasks/${id}`, { token: alice });
    const entries = await AuditLog.findAll({
      where: { targetType: 'training_task', targetId: String(id) },
      order: [['id', 'ASC']],
    });

    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(stopped.status, 200, JSON.stringify(stopped.body));
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    assert.equal(deleted.status, 204, JSON.stringify(deleted.body));
    assert.deepEqual(
      entries.map((entry) => entry.action),
      [
        'training_task.create',
        'training_task.start',
        'training_task.stop',
        'training_task.resume',
        'training_task.delete',
      ],
    );
    const [create, start, stop, resume, remove] = entries;
    assert.equal(create?.actorId, aliceId);
    assert.match(create?.ip ?? '', /127\.0\.0\.1/);
    assert.deepEqual(create?.details, {
      name: 'audited run',
      baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
      datasetId: ALPACA_DATASET_ID,
      gpuHostId: hosts.slow,
    });
    assert.equal(start?.details?.previousStatus, 'pending');
    assert.equal(stop?.actorId, adminId);
    assert.equal(stop?.details?.ownerId, aliceId);
    assert.equal(stop?.details?.status, 'stopping');
    assert.equal(resume?.details?.previousStatus, 'stopped');
    assert.equal(remove?.details?.status, 'completed');
    assert.equal(remove?.details?.removeRunDir, false);
  });

  test('stop escalates to SIGKILL', async () => {
    const host = await addHost('stubborn', {
      setupCommand: `${standInSetup(0.2)}\nunset LLAMABOARD_ENABLED\ntrap '' ABRT TERM`,
    });
    const created = await createTask(alice, {
      name: 'stubborn run',
      gpuHostId: host,
      parameters: { epochs: 6 },
    });
    const id = created.body.task.id;
    await action(alice, id, 'start');
    await waitForTask(as(alice), id, (task) => task.progress.step >= 2);

    await action(alice, id, 'stop');
    const stopped = await waitForTask(as(alice), id, finished, 20_000);

    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.exitCode, null, 'SIGKILL ends run.sh before it records a code');
    const signals = server.log
      .filter((line) => line.includes('sent a stop signal') && line.includes(`"taskId":${id}`))
      .map((line) => (JSON.parse(line) as { signal: string }).signal);
    assert.deepEqual(signals, ['ABRT', 'TERM', 'KILL']);
  });

  test('connection loss keeps every line', async () => {
    const created = await createTask(alice, {
      name: 'flaky network',
      gpuHostId: hosts.slow,
      parameters: { epochs: 3 },
    });
    const id = created.body.task.id;
    const events = collectEvents(as(alice), id);
    await action(alice, id, 'start');
    const pool = trainingOf(server.running.services).pool;
    const destroyed = new Set<unknown>();

    for (const step of [4, 10, 16]) {
      await waitForTask(as(alice), id, (task) => task.progress.step >= step);
      // The host runs ahead of the watcher, so the step may show before the watcher reconnected.
      const connection = await waitFor(() => {
        const open = pool.peek(hosts.slow ?? 0);
        return open !== undefined && !destroyed.has(open) ? open : undefined;
      });
      destroyed.add(connection);
      connection.socket.destroy();
    }
    const task = await waitForTask(as(alice), id, finished);
    const streamed = await events;

    assert.equal(task.status, 'completed', task.errorTail ?? '');
    assertMatchesTrainerLog(await metricsOf(as(alice), id), readTrainerLog(task.runDir ?? ''));
    const logText = fs.readFileSync(`${task.runDir}/train.log`, 'utf8');
    const streamedLines = streamed
      .filter((event) => event.event === 'log')
      .flatMap((event) => (JSON.parse(event.data) as { lines: string[] }).lines);
    assert.deepEqual(streamedLines, logText.replace(/\n$/, '').split('\n'));
  });

  test('python error fails with traceback', async () => {
    const created = await createTask(alice, {
      name: 'broken template',
      parameters: { template: 'no_such_template' },
    });
    const id = created.body.task.id;

    await action(alice, id, 'start');
    const task = await waitForTask(as(alice), id, finished);

    assert.equal(task.status, 'failed');
    assert.equal(task.exitCode, 1);
    assert.match(task.errorTail ?? '', /Traceback \(most recent call last\)/);
    assert.match(task.errorTail ?? '', /ValueError: Template no_such_template does not exist\./);
    const report = await fetchText(`/api/training/tasks/${id}/report`, alice);
    assert.match(report.text, /## Error\n\n```text\nTraceback/);
  });

  test('one-run host queues the second task', async () => {
    const first = (await createTask(alice, { name: 'first', gpuHostId: hosts.queue })).body.task.id;
    const second = (await createTask(bob, { name: 'second', gpuHostId: hosts.queue })).body.task.id;
    const third = (await createTask(bob, { name: 'third', gpuHostId: hosts.queue })).body.task.id;

    const firstStart = await action(alice, first, 'start');
    const secondStart = await action(bob, second, 'start');
    const thirdStart = await action(bob, third, 'start');
    const thirdStop = await action(bob, third, 'stop');
    const secondDone = await waitForTask(as(bob), second, finished, 40_000);
    const firstDone = await waitForTask(as(alice), first, finished);

    assert.equal(firstStart.body.task.status, 'running');
    assert.equal(secondStart.body.task.status, 'queued');
    assert.equal(secondStart.body.task.queuePosition, 1);
    assert.equal(thirdStart.body.task.queuePosition, 2);
    assert.equal(thirdStop.body.task.status, 'stopped');
    assert.equal(firstDone.status, 'completed');
    assert.equal(secondDone.status, 'completed', secondDone.errorTail ?? '');
    assert.ok(Date.parse(secondDone.startedAt ?? '') >= Date.parse(firstDone.finishedAt ?? ''));
  });

  test('hostile names stay out of the shell', async () => {
    const hostileDir = `${sshd.dir}/we'ird $(touch PWNED-dir) ; \`touch PWNED-tick\` & dir`;
    const host = await addHost('hostile', { workDir: hostileDir });
    const name = `x'; $(touch PWNED-name); \`id\` "y"\nsecond line; rm -rf ~`;
    const baseModel = `org/model'$(touch PWNED-model);"x"`;

    const created = await createTask(alice, { name, baseModel, gpuHostId: host });
    const id = created.body.task.id;
    await action(alice, id, 'start');
    const task = await waitForTask(as(alice), id, finished);

    assert.equal(task.status, 'completed', task.errorTail ?? '');
    assert.equal(task.runDir, `${hostileDir}/llm-workbench/runs/${id}`);
    const planted = /^PWNED-(dir|tick|name|model)$/;
    assert.deepEqual(findFiles(sshd.dir, planted), []);
    assert.deepEqual(findFiles(os.homedir(), planted, 0), []);
    assert.deepEqual(findFiles(process.cwd(), planted, 0), []);
    const parsed = JSON.parse(
      execFileSync('/usr/bin/python3', [
        '-c',
        'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))',
        `${task.runDir}/train.yaml`,
      ]).toString(),
    ) as Record<string, unknown>;
    assert.equal(parsed.run_name, name);
    assert.equal(parsed.model_name_or_path, baseModel);
    assert.equal(parsed.learning_rate, 0.01);
  });

  test('users see only their own tasks', async () => {
    const id = (await createTask(alice, { name: 'private' })).body.task.id;

    const asBob = await server.request('GET', `/api/training/tasks/${id}`, { token: bob });
    const stopAsBob = await server.request('POST', `/api/training/tasks/${id}/stop`, {
      token: bob,
    });
    const asAdmin = await server.request('GET', `/api/training/tasks/${id}`, { token: admin });
    const bobList = await server.request<{ tasks: ApiTrainingTask[] }>(
      'GET',
      '/api/training/tasks',
      {
        token: bob,
      },
    );

    assert.equal(asBob.status, 404);
    assert.equal(stopAsBob.status, 404);
    assert.equal(asAdmin.status, 200);
    assert.ok(bobList.body.tasks.every((task) => task.name !== 'private'));
  });

  test('delete removes task and run directory', async () => {
    const id = await runToEnd(alice, { name: 'to delete' });
    const task = (
      await server.request<TaskResponse>('GET', `/api/training/tasks/${id}`, { token: alice })
    ).body.task;
    assert.ok(fs.existsSync(task.runDir ?? ''));

    const deleted = await server.request('DELETE', `/api/training/tasks/${id}?removeRunDir=true`, {
      token: alice,
    });
    const fetched = await server.request('GET', `/api/training/tasks/${id}`, { token: alice });

    assert.equal(deleted.status, 204);
    assert.equal(fetched.status, 404);
    assert.equal(fs.existsSync(task.runDir ?? ''), false);
  });

  test('logs return the end of train.log', async () => {
    const id = await runToEnd(alice, { name: 'logged' });

    const response = await server.request<{ text: string; size: number }>(
      'GET',
      `/api/training/tasks/${id}/logs?tailBytes=200`,
      { token: alice },
    );

    assert.equal(response.status, 200);
    assert.ok(response.body.text.length <= 200);
    assert.match(response.body.text, /train_runtime/);
    assert.ok(response.body.size > 200);
  });

  test('event stream sends keep-alive comments', async () => {
    const id = (await createTask(alice, { name: 'idle' })).body.task.id;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/api/training/tasks/${id}/events`, {
      headers: { Authorization: `Bearer ${alice}` },
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    let text = '';
    while (!text.includes(':keep-alive') && reader !== undefined) {
      const chunk = (await reader.read()) as { value?: Uint8Array };
      text += Buffer.from(chunk.value ?? new Uint8Array()).toString('utf8');
    }
    controller.abort();

    assert.equal(response.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.match(text, /^event: progress\ndata: \{"taskId":\d+/);
    assert.match(text, /event: status\ndata: \{"taskId":\d+,"status":"pending"/);
  });

  test('event stream drops a client that stops reading', async () => {
    const id = (await createTask(alice, { name: 'unread' })).body.task.id;
    const hub = trainingOf(server.running.services).hub;
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    socket.write(
      `GET /api/training/tasks/${id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${alice}\r\n\r\n`,
    );
    await once(socket, 'data');
    socket.pause();
    const closed = once(socket, 'close');
    const subscribed = Date.now();
    while (hub.listenerCount(id) === 0 && Date.now() - subscribed < 5_000) {
      await delay(10);
    }

    // 40 MB of log lines, far more than the server buffers for one client.
    const line = 'x'.repeat(100_000);
    let published = 0;
    while (hub.listenerCount(id) > 0 && published < 400) {
      hub.publish(id, 'log', { taskId: id, lines: [line] });
      published += 1;
      await delay(1);
    }
    socket.destroy();
    await closed;

    assert.ok(published < 400, `the stream was still open after ${published} events`);
    assert.equal(hub.listenerCount(id), 0);
  });

  async function runToEnd(token: string, body: Record<string, unknown>): Promise<number> {
    const id = (await createTask(token, body)).body.task.id;
    await action(token, id, 'start');
    const task = await waitForTask(as(token), id, finished);
    assert.equal(task.status, 'completed', task.errorTail ?? '');
    return id;
  }

  async function fetchText(urlPath: string, token: string) {
    const response = await fetch(`${server.url}${urlPath}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return { text: await response.text(), type: response.headers.get('content-type') };
  }
});

/** Checks that the stored metrics are the trainer log's records, merged by step. */
function assertMatchesTrainerLog(
  metrics: readonly ApiTrainingMetric[],
  records: readonly Record<string, unknown>[],
): void {
  const expected = new Map<number, { loss: unknown; evalLoss: unknown; lr: unknown }>();
  for (const record of records) {
    const step = record.current_steps as number;
    const entry = expected.get(step) ?? { loss: null, evalLoss: null, lr: null };
    entry.loss = record.loss ?? entry.loss;
    entry.evalLoss = record.eval_loss ?? entry.evalLoss;
    entry.lr = record.lr ?? entry.lr;
    expected.set(step, entry);
  }
  assert.deepEqual(
    metrics.map((metric) => metric.step),
    [...expected.keys()],
  );
  for (const metric of metrics) {
    assert.deepEqual(
      { loss: metric.loss, evalLoss: metric.evalLoss, lr: metric.lr },
      expected.get(metric.step),
      `step ${metric.step}`,
    );
  }
}

/** Polls `probe` until it returns a value, for at most 10 seconds. */
async function waitFor<T>(probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error('The condition did not come true within 10 seconds.');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** Lists files under `dir` whose names match, to a depth. */
function findFiles(dir: string, pattern: RegExp, depth = 12): string[] {
  if (depth < 0 || !fs.existsSync(dir)) {
    return [];
  }
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') {
      continue;
    }
    const full = path.join(dir, entry.name);
    if (pattern.test(entry.name)) {
      found.push(full);
    }
    if (entry.isDirectory()) {
      found.push(...findFiles(full, pattern, depth - 1));
    }
  }
  return found;
}
