import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { after, before, describe, test } from 'node:test';
import type { ApiTrainingTask } from '../../../shared/src/api/training.js';
import { startTestSshd, type TestSshd } from '../testing/sshd.js';
import { createTestDatabase, TEST_ADMIN, testDialect } from '../testing/testServer.js';
import {
  ALPACA_DATASET_ID,
  api,
  type Caller,
  FAST_TRAINING_ENV,
  hostBody,
  metricsOf,
  readTrainerLog,
  standInSetup,
  TINY_PARAMETERS,
  waitForTask,
} from '../testing/trainingFixture.js';

const SERVER_SCRIPT = path.resolve(__dirname, '../testing/trainingServerProcess.ts');

/** A server in a child process, which a test can kill without letting it shut down. */
interface ServerProcess {
  child: ChildProcess;
  url: string;
  logFile: string;
}

describe(`training after a server restart (${testDialect})`, () => {
  let sshd: TestSshd;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let dropDatabase: () => Promise<void>;
  const children: ChildProcess[] = [];
  let starts = 0;

  before(async () => {
    sshd = await startTestSshd();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-restart-'));
    const database = await createTestDatabase(dataDir);
    dropDatabase = () => database.drop();
    env = {
      ...process.env,
      ...FAST_TRAINING_ENV,
      DATA_DIR: dataDir,
      DATABASE_URL: database.url,
      PORT: '0',
      BCRYPT_ROUNDS: '4',
      LOG_LEVEL: 'info',
      ADMIN_EMAIL: TEST_ADMIN.email,
      ADMIN_PASSWORD: TEST_ADMIN.password,
    };
  });

  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
      }
    }
    await sshd.close();
    await dropDatabase();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Starts a server process on the shared database and waits until it listens. */
  async function startServerProcess(): Promise<ServerProcess> {
    starts += 1;
    const logFile = path.join(dataDir, `server-${starts}.log`);
    const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
      env: { ...env, SERVER_LOG_FILE: logFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const stderr: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
    for await (const line of readline.createInterface({ input: child.stdout ?? process.stdin })) {
      if (line.startsWith('ready ')) {
        return { child, url: line.slice('ready '.length), logFile };
      }
    }
    throw new Error(`The server process exited before it was ready: ${stderr.join('')}`);
  }

  async function killHard(server: ServerProcess): Promise<void> {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.kill('SIGKILL');
    await exited;
  }

  async function logIn(url: string): Promise<string> {
    const response = await fetch(`${url}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        login: TEST_ADMIN.email,
        password: TEST_ADMIN.password,
        tokenDelivery: 'body',
      }),
    });
    return ((await response.json()) as { accessToken: string }).accessToken;
  }

  async function startTask(caller: Caller, hostId: number, name: string) {
    const created = await api<{ task: ApiTrainingTask }>(caller, 'POST', '/api/training/tasks', {
      name,
      baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
      datasetId: ALPACA_DATASET_ID,
      gpuHostId: hostId,
      parameters: { ...TINY_PARAMETERS, epochs: 3 },
    });
    const id = created.body.task.id;
    await api(caller, 'POST', `/api/training/tasks/${id}/start`);
    return id;
  }

  test('new server reattaches after SIGKILL', async () => {
    const first = await startServerProcess();
    const token = await logIn(first.url);
    const host = await api<{ gpuHost: { id: number } }>(
      { url: first.url, token },
      'POST',
      '/api/gpu-hosts',
      {
        ...hostBody(sshd, {
          name: 'restart',
          maxConcurrentRuns: 2,
          setupCommand: standInSetup(0.1),
        }),
        hostKeyFingerprint: sshd.hostKeyFingerprint(),
      },
    );
    const hostId = host.body.gpuHost.id;

    const during = await startTask({ url: first.url, token }, hostId, 'survives a restart');
    await waitForTask({ url: first.url, token }, during, (task) => task.progress.step >= 5);
    await killHard(first);
    const second = await startServerProcess();
    const secondCaller = { url: second.url, token };
    const task = await waitForTask(secondCaller, during, (t) => t.status === 'completed', 40_000);

    assert.equal(task.exitCode, 0);
    assertAllSteps(await metricsOf(secondCaller, during), readTrainerLog(task.runDir ?? ''));
    assert.match(fs.readFileSync(second.logFile, 'utf8'), /watching a running training task again/);

    const ended = await startTask(secondCaller, hostId, 'ends while no server runs');
    const running = await waitForTask(secondCaller, ended, (t) => t.progress.step >= 2);
    const runDir = running.runDir ?? '';
    await killHard(second);
    await waitForFile(path.join(runDir, 'exit_code'));
    const third = await startServerProcess();
    const thirdCaller = { url: third.url, token };
    const finished = await waitForTask(thirdCaller, ended, (t) => t.status === 'completed', 40_000);

    assert.equal(finished.exitCode, 0);
    assert.equal(finished.progress.percent, 100);
    assertAllSteps(await metricsOf(thirdCaller, ended), readTrainerLog(runDir));
    await killHard(third);
  });
});

/** Checks that every logged step is stored once, with the loss the trainer logged. */
function assertAllSteps(
  metrics: readonly { step: number; loss: number | null }[],
  records: readonly Record<string, unknown>[],
): void {
  const logged = new Map<number, unknown>();
  for (const record of records) {
    if (record.loss !== undefined) {
      logged.set(record.current_steps as number, record.loss);
    }
  }
  assert.deepEqual(
    metrics.map((metric) => metric.step),
    [...logged.keys()],
  );
  for (const metric of metrics) {
    assert.equal(metric.loss, logged.get(metric.step), `loss of step ${metric.step}`);
  }
}

async function waitForFile(file: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) {
      throw new Error(`${file} did not appear within 30 seconds.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
