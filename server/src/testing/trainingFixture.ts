import fs from 'node:fs';
import type { ApiTrainingMetric, ApiTrainingTask } from '../../../shared/src/api/training.js';
import { SseParser, type SseEvent } from '../../../shared/src/sse/codec.js';
import type { TrainingDatasetFile, TrainingDatasetSource } from '../training/datasetSource.js';
import { ALPACA_FIXTURE, STAND_IN_DIR, type TestSshd } from './sshd.js';

/** The dataset id under which the fixture source serves the Alpaca excerpt. */
export const ALPACA_DATASET_ID = 1;

/** Timing for TestServer.start in tests: fast polling, short grace periods and a short lease. */
export const FAST_TRAINING_ENV = {
  TRAINING_POLL_INTERVAL_MS: '100',
  TRAINING_STOP_GRACE_MS: '3000',
  TRAINING_TERM_GRACE_MS: '1500',
  TRAINING_RECONNECT_MIN_MS: '50',
  TRAINING_RECONNECT_MAX_MS: '400',
  TRAINING_LEASE_MS: '1500',
  TRAINING_SSH_READY_TIMEOUT_MS: '10000',
  TRAINING_COMMAND_TIMEOUT_MS: '30000',
  TRAINING_SSE_KEEPALIVE_MS: '200',
};

/** Serves the Alpaca excerpt as dataset 1 to every user, as the datasets feature will. */
export const fixtureDatasets: TrainingDatasetSource = {
  resolve: (datasetId) => {
    if (datasetId !== ALPACA_DATASET_ID) {
      return Promise.resolve(undefined);
    }
    const file: TrainingDatasetFile = {
      id: ALPACA_DATASET_ID,
      name: 'alpaca_en_demo excerpt',
      path: ALPACA_FIXTURE,
      fileName: 'lw_dataset_1.json',
      entry: { formatting: 'alpaca' },
      recordCount: (JSON.parse(fs.readFileSync(ALPACA_FIXTURE, 'utf8')) as unknown[]).length,
      sizeBytes: fs.statSync(ALPACA_FIXTURE).size,
    };
    return Promise.resolve(file);
  },
};

/**
 * Returns the setup command of a test host: the stand-in on PATH, and a delay per training step so a
 * test can act while the run goes on.
 */
export function standInSetup(stepDelaySeconds = 0): string {
  return [
    `export PATH='${STAND_IN_DIR}':"$PATH"`,
    `export STANDIN_STEP_DELAY=${stepDelaySeconds}`,
  ].join('\n');
}

/** Returns the request body that adds the test sshd as a GPU host. */
export function hostBody(sshd: TestSshd, overrides: Record<string, unknown> = {}) {
  return {
    name: 'loopback',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKey: sshd.privateKey,
    workDir: `${sshd.dir}/work`,
    setupCommand: standInSetup(),
    maxConcurrentRuns: 1,
    ...overrides,
  };
}

/** Small, fast parameters: 24 records, batch 2, 2 epochs = 24 steps, a checkpoint every 5. */
export const TINY_PARAMETERS = {
  learningRate: 0.01,
  epochs: 2,
  batchSize: 2,
  gradientAccumulation: 1,
  loggingSteps: 1,
  saveSteps: 5,
  template: 'qwen',
};

/** A server URL and the access token to call it with. */
export interface Caller {
  url: string;
  token: string;
}

/** Sends a request with the caller's bearer token and parses the JSON body. */
export async function api<T = Record<string, unknown>>(
  { url, token }: Caller,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as T };
}

/** Polls a task until `done` accepts it; fails with the last state after `timeoutMs`. */
export async function waitForTask(
  caller: Caller,
  id: number,
  done: (task: ApiTrainingTask) => boolean,
  timeoutMs = 30_000,
): Promise<ApiTrainingTask> {
  const deadline = Date.now() + timeoutMs;
  let last: ApiTrainingTask | undefined;
  while (Date.now() < deadline) {
    const response = await api<{ task: ApiTrainingTask }>(
      caller,
      'GET',
      `/api/training/tasks/${id}`,
    );
    last = response.body.task;
    if (last !== undefined && done(last)) {
      return last;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Task ${id} did not reach the expected state; last: ${JSON.stringify(last)}`);
}

/** Reads a task's stored metrics. */
export async function metricsOf(caller: Caller, id: number) {
  const response = await api<{ metrics: ApiTrainingMetric[] }>(
    caller,
    'GET',
    `/api/training/tasks/${id}/metrics`,
  );
  return response.body.metrics;
}

/** Reads an SSE response until it ends, returning every event. */
export async function collectEvents({ url, token }: Caller, id: number): Promise<SseEvent[]> {
  const response = await fetch(`${url}/api/training/tasks/${id}/events`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (response.body === null) {
    throw new Error('The event stream has no body.');
  }
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for await (const chunk of response.body) {
    events.push(...parser.push(chunk as Uint8Array));
  }
  events.push(...parser.end());
  return events;
}

/** Reads the trainer log records of a run as the stand-in wrote them. */
export function readTrainerLog(runDir: string): Record<string, unknown>[] {
  return fs
    .readFileSync(`${runDir}/output/trainer_log.jsonl`, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
