// The latency side of the training-log benchmark. A real server follows a running task on a
// loopback OpenSSH server while the bench appends records to the run's trainer_log.jsonl. Each
// record's delay from write to event is timed at a hub subscriber and at an SSE client.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { ApiTrainingTask } from '../shared/src/api/training.js';
import { SseParser } from '../shared/src/sse/codec.js';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { TrainingMetric } from '../server/src/models/index.js';
import { startServer, type RunningServer } from '../server/src/server.js';
import type { TestSshd } from '../server/src/testing/sshd.js';
import {
  ALPACA_DATASET_ID,
  api,
  type Caller,
  fixtureDatasets,
  hostBody,
  TINY_PARAMETERS,
  waitForTask,
} from '../server/src/testing/trainingFixture.js';
import { trainingOf } from '../server/src/training/registry.js';
import { RemoteRun } from '../server/src/training/remoteRun.js';
import { RUN_FILES } from '../server/src/training/runFiles.js';
import { SshConnection } from '../server/src/training/ssh/connection.js';
import { TrainerLogWriter } from './trainerLogFixture.js';
import { READ_CHUNK_BYTES } from './trainingLogIngest.js';

const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password' };

/** The file whose creation in the run directory ends the stand-in, and with it the run. */
const STOP_FILE = 'bench-stop';

/**
 * The `llamafactory-cli` the bench's GPU host runs: it writes nothing and waits, because the
 * bench appends the trainer log itself. It exits once the bench creates STOP_FILE, once the run
 * directory is deleted (as when the temporary sshd directory goes), or after 10 minutes, so no
 * run outlives the bench.
 */
const STAND_IN_SCRIPT = `#!/usr/bin/env bash
for _ in $(seq 1 3000); do
  if [ -e ${STOP_FILE} ] || [ ! -d ${RUN_FILES.outputDir} ]; then
    exit 0
  fi
  sleep 0.2
done
`;

/** A server started for the bench on a temporary SQLite file, with the admin signed in. */
export interface BenchServer {
  running: RunningServer;
  caller: Caller;
  adminId: number;
  /** The poll interval the server's run watchers use, in milliseconds. */
  pollIntervalMs: number;
  close(): Promise<void>;
}

/**
 * Starts the real server with `startServer` and the default TRAINING_* settings, except the poll
 * interval when `pollIntervalMs` is given. Warnings go to stderr, so stdout has only the report.
 */
export async function startBenchServer(pollIntervalMs?: number): Promise<BenchServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-bench-training-'));
  // Only these variables, not process.env, so a DATABASE_URL or TRAINING_* variable set in the
  // shell cannot change what is measured.
  const config = loadConfig({
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    BCRYPT_ROUNDS: '4',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...(pollIntervalMs === undefined ? {} : { TRAINING_POLL_INTERVAL_MS: String(pollIntervalMs) }),
  });
  const logger = createLogger(config.logLevel, pino.destination({ fd: 2, sync: false }));
  const running = await startServer(config, logger);
  const close = async () => {
    await running.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    trainingOf(running.services).useDatasetSource(fixtureDatasets);
    const { token, adminId } = await logIn(running.url);
    return {
      running,
      caller: { url: running.url, token },
      adminId,
      pollIntervalMs: config.training.pollIntervalMs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function logIn(url: string): Promise<{ token: string; adminId: number }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ login: ADMIN.email, password: ADMIN.password, tokenDelivery: 'body' }),
  });
  if (!response.ok) {
    throw new Error(`Signing in the bench admin failed with HTTP ${response.status}.`);
  }
  const body = (await response.json()) as { accessToken: string; user: { id: number } };
  return { token: body.accessToken, adminId: body.user.id };
}

/** Settings of one latency phase. */
export interface LatencyOptions {
  /** Used in the host's name and work directory, so phases on one sshd do not collide. */
  label: string;
  linesPerSecond: number;
  seconds: number;
}

/** Write-to-event delays of one phase, in milliseconds, by where the event was received. */
export interface LatencySamples {
  written: number;
  hubDelaysMs: number[];
  sseDelaysMs: number[];
  /** Times between two batches of events at the hub: the poll interval plus a tick's work. */
  batchIntervalsMs: number[];
  /** Metric rows the server stored for the run, which must equal `written`. */
  storedRows: number;
}

/**
 * Runs one phase: adds the sshd as a GPU host, starts a task on it, appends one training record
 * every 1/linesPerSecond seconds for `seconds`, and times each record's metric event. Then it
 * ends the run and waits for the task to complete.
 */
export async function measureLatency(
  server: BenchServer,
  sshd: TestSshd,
  options: LatencyOptions,
): Promise<LatencySamples> {
  const { caller } = server;
  const task = await startRunningTask(server, sshd, options.label);
  const runDir = task.runDir ?? '';
  const lines = Math.round(options.linesPerSecond * options.seconds);
  const received = subscribe(server, task.id);
  try {
    await received.sseOpen;
    const writtenAt = await appendRecords(
      path.join(runDir, RUN_FILES.trainerLog),
      lines,
      options.linesPerSecond,
    );
    // A record written just after a tick is read one poll interval and one tick later.
    await received.waitForSteps(lines, 2 * server.pollIntervalMs + 10_000);

    fs.writeFileSync(path.join(runDir, STOP_FILE), '');
    const finished = await waitForTask(
      caller,
      task.id,
      (current) => current.status !== 'running',
      2 * server.pollIntervalMs + 20_000,
    );
    if (finished.status !== 'completed') {
      throw new Error(
        `The bench task ended as ${finished.status} instead of completed: ` +
          `${finished.errorTail ?? 'no error output'}`,
      );
    }
    await received.sseEnded;
    return {
      written: lines,
      hubDelaysMs: delays(writtenAt, received.hubAt),
      sseDelaysMs: delays(writtenAt, received.sseAt),
      batchIntervalsMs: batchIntervals([...received.hubAt.values()]),
      storedRows: await TrainingMetric.count({ where: { taskId: task.id } }),
    };
  } finally {
    received.close();
    // Ends the stand-in, and with it the run, also when the phase failed.
    if (fs.existsSync(runDir)) {
      fs.writeFileSync(path.join(runDir, STOP_FILE), '');
    }
  }
}

/** Adds the host, creates and starts a task, and waits until a run watcher follows it. */
async function startRunningTask(
  server: BenchServer,
  sshd: TestSshd,
  label: string,
): Promise<ApiTrainingTask> {
  const { caller } = server;
  const binDir = path.join(sshd.dir, `bench-bin-${label}`);
  fs.mkdirSync(binDir, { recursive: true });
  fs.writeFileSync(path.join(binDir, 'llamafactory-cli'), STAND_IN_SCRIPT, { mode: 0o755 });

  const host = await api<{ gpuHost: { id: number } }>(caller, 'POST', '/api/gpu-hosts', {
    ...hostBody(sshd, {
      name: `bench-${label}`,
      workDir: path.join(sshd.dir, `work-${label}`),
      setupCommand: `export PATH='${binDir}':"$PATH"`,
    }),
    hostKeyFingerprint: sshd.hostKeyFingerprint(),
  });
  expectStatus('adding the GPU host', host, 201);
  const created = await api<{ task: ApiTrainingTask }>(caller, 'POST', '/api/training/tasks', {
    name: `training-log bench ${label}`,
    baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
    datasetId: ALPACA_DATASET_ID,
    gpuHostId: host.body.gpuHost.id,
    parameters: TINY_PARAMETERS,
  });
  expectStatus('creating the task', created, 201);
  const id = created.body.task.id;
  const started = await api(caller, 'POST', `/api/training/tasks/${id}/start`);
  expectStatus('starting the task', started, 200);

  const task = await waitForTask(
    caller,
    id,
    (current) => current.status === 'running' && current.runDir !== null,
  );
  const supervisor = trainingOf(server.running.services);
  const deadline = performance.now() + 10_000;
  while (!supervisor.isWatching(id)) {
    if (performance.now() > deadline) {
      throw new Error(`Task ${id} is running, but no run watcher followed it within 10 s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return task;
}

function expectStatus(action: string, response: { status: number; body: unknown }, code: number) {
  if (response.status !== code) {
    throw new Error(
      `${action} returned HTTP ${response.status} instead of ${code}: ` +
        JSON.stringify(response.body),
    );
  }
}

/**
 * Appends `lines` training records, one each 1000/linesPerSecond ms on a fixed schedule, each
 * opened, appended and closed as LLaMA-Factory's LogCallback does. Returns when each step's
 * record was written (performance.now(), after the write returned).
 */
async function appendRecords(
  file: string,
  lines: number,
  linesPerSecond: number,
): Promise<Map<number, number>> {
  const writer = new TrainerLogWriter({ totalSteps: lines, evalEvery: lines + 1, seed: lines });
  const periodMs = 1000 / linesPerSecond;
  const writtenAt = new Map<number, number>();
  const start = performance.now();
  for (let step = 1; step <= lines; step += 1) {
    const due = start + (step - 1) * periodMs;
    const wait = due - performance.now();
    if (wait > 0) {
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
    fs.appendFileSync(file, writer.trainingLine(step));
    writtenAt.set(step, performance.now());
  }
  return writtenAt;
}

/** Receipt times of metric events by step, from a hub subscriber and from an SSE client. */
function subscribe(server: BenchServer, taskId: number) {
  const hubAt = new Map<number, number>();
  const sseAt = new Map<number, number>();
  const unsubscribe = trainingOf(server.running.services).hub.subscribe(taskId, (event) => {
    if (event.type === 'metric' && !hubAt.has(event.data.metric.step)) {
      hubAt.set(event.data.metric.step, performance.now());
    }
  });
  const abort = new AbortController();
  let markOpen: () => void = () => undefined;
  const sseOpen = new Promise<void>((resolve) => {
    markOpen = resolve;
  });
  const sseEnded = readEvents(server.caller, taskId, abort.signal, (type, data) => {
    if (type === 'status') {
      markOpen();
      return;
    }
    if (type === 'metric') {
      const { step } = (JSON.parse(data) as { metric: { step: number } }).metric;
      if (!sseAt.has(step)) {
        sseAt.set(step, performance.now());
      }
    }
  });
  const waitForSteps = async (steps: number, timeoutMs: number) => {
    const deadline = performance.now() + timeoutMs;
    while (hubAt.size < steps || sseAt.size < steps) {
      if (performance.now() > deadline) {
        throw new Error(
          `Timed out after ${timeoutMs} ms: of ${steps} written records, the hub subscriber ` +
            `received ${hubAt.size} and the SSE client ${sseAt.size}.`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    hubAt,
    sseAt,
    sseOpen: Promise.race([sseOpen, sseEnded.then(() => undefined)]),
    sseEnded,
    waitForSteps,
    close: () => {
      unsubscribe();
      abort.abort();
    },
  };
}

/** Reads the task's event stream until it ends or `signal` aborts, passing on each event. */
async function readEvents(
  { url, token }: Caller,
  taskId: number,
  signal: AbortSignal,
  onEvent: (type: string, data: string) => void,
): Promise<void> {
  const parser = new SseParser();
  try {
    const response = await fetch(`${url}/api/training/tasks/${taskId}/events`, {
      headers: { Authorization: `Bearer ${token}` },
      signal,
    });
    if (!response.ok || response.body === null) {
      throw new Error(
        `Opening the event stream of task ${taskId} returned HTTP ${response.status}.`,
      );
    }
    for await (const chunk of response.body) {
      for (const event of parser.push(chunk as Uint8Array)) {
        onEvent(event.event, event.data);
      }
    }
  } catch (error) {
    if (!signal.aborted) {
      throw error;
    }
  }
}

function delays(writtenAt: Map<number, number>, receivedAt: Map<number, number>): number[] {
  const result: number[] = [];
  for (const [step, written] of writtenAt) {
    const received = receivedAt.get(step);
    if (received !== undefined) {
      result.push(received - written);
    }
  }
  return result;
}

/**
 * Returns the gaps between batches of events. One tick publishes its events in one synchronous
 * loop, so events less than 50 ms apart belong to the same batch.
 */
function batchIntervals(times: number[]): number[] {
  const sorted = [...times].sort((a, b) => a - b);
  const starts: number[] = [];
  for (const time of sorted) {
    const last = starts.at(-1);
    if (last === undefined || time - last > 50) {
      starts.push(time);
    }
  }
  return starts.slice(1).map((time, index) => time - (starts[index] ?? time));
}

/** Times of the SSH operations of a watcher tick, in milliseconds, each tried SSH_PROBES times. */
export interface SshRoundTrips {
  /** RemoteRun.readExitCode of a run that has not ended: an SFTP open that fails. */
  readExitCodeMs: number[];
  /** RemoteRun.read of one full read window: SFTP open, fstat, read and close. */
  readWindowMs: number[];
  /** RemoteRun.isAlive, which runs `ps` through the login shell on a new SSH channel. */
  livenessCheckMs: number[];
}

const SSH_PROBES = 10;

/**
 * Times the operations a run watcher's tick sends over SSH, on a connection of its own to the
 * bench's sshd. The liveness check starts the user's login shell, so its time depends on the
 * shell's startup files on the host.
 */
export async function measureSshRoundTrips(sshd: TestSshd): Promise<SshRoundTrips> {
  const connection = await SshConnection.open({
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    privateKey: sshd.privateKey,
    hostKeyFingerprint: sshd.hostKeyFingerprint(),
    readyTimeoutMs: 10_000,
    keepaliveIntervalMs: 0,
  });
  try {
    const runDir = path.join(sshd.dir, 'bench-probe-run');
    fs.mkdirSync(path.join(runDir, RUN_FILES.outputDir), { recursive: true });
    const writer = new TrainerLogWriter({ totalSteps: 2000, evalEvery: 2001, seed: 1 });
    const lines: string[] = [];
    for (let step = 1; step <= 2000; step += 1) {
      lines.push(writer.trainingLine(step));
    }
    fs.writeFileSync(path.join(runDir, RUN_FILES.trainerLog), lines.join(''));
    const run = new RemoteRun(connection, runDir, 30_000);
    return {
      readExitCodeMs: await timeEach(() => run.readExitCode()),
      readWindowMs: await timeEach(() => run.read(RUN_FILES.trainerLog, 0, READ_CHUNK_BYTES)),
      // The group need not exist: the command lists every process either way.
      livenessCheckMs: await timeEach(() => run.isAlive(process.pid)),
    };
  } finally {
    connection.close();
  }
}

async function timeEach(operation: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let probe = 0; probe < SSH_PROBES; probe += 1) {
    const started = performance.now();
    await operation();
    times.push(performance.now() - started);
  }
  return times;
}
