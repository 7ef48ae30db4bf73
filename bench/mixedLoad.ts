// The `load` benchmark: a mixed load of concurrent users against one server in a child process,
// with the server's memory measured after a full garbage collection before and after the run.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFakeOpenAiServer } from '../server/src/testing/fakeProviders/openai.js';
import { CpuMeter } from './cpu.js';
import type { ServerMeasure, ServerMessage } from './mixedLoadServer.js';

/** Concurrent users, each with its own account, provider, model config and chat session. */
const USERS = 200;
/**
 * Mean pause of a user between a reply and its next request, in milliseconds. A person using the
 * extension sends far less than one request a second; 1 s keeps every user busy all the same.
 * `BENCH_LOAD_THINK_MS` sets another pause, such as 100 to find where the server saturates.
 */
const THINK_MS = thinkMsFromEnvironment();
/** The plain-request p99 target, in milliseconds. */
const PLAIN_P99_TARGET_MS = 100;
/** Allowed growth of the heap after a full GC, from after warm-up to after the run: 16 MiB. */
const HEAP_GROWTH_LIMIT_BYTES = 16 * 1024 * 1024;
/** Allowed growth of the resident set over the same span: 64 MiB. */
const RSS_GROWTH_LIMIT_BYTES = 64 * 1024 * 1024;
/** Above this share of all cores taken by other processes, the run is not quiet. */
const QUIET_SHARE = 0.05;

/** The job the load worker receives. */
export interface MixedLoadJob {
  url: string;
  users: { token: string; modelConfigId: number; chatSessionId: number }[];
  seconds: number;
  thinkMs: number;
}

/** Figures the load worker measured over one job. */
export interface MixedLoadResult {
  requests: number;
  requestsPerSecond: number;
  /** Requests sent, by kind. */
  counts: Record<string, number>;
  /** Responses with an unexpected status, chat streams without a `done` event, socket errors. */
  failed: number;
  failureSamples: string[];
  /** Latency of successful plain (non-streaming) requests. */
  plainLatencyMs: { p50: number; p99: number; max: number };
  /** Latency of successful chat streams, from the request to the end of the stream. */
  chatLatencyMs: { p50: number; p99: number; max: number };
  workerCpuSeconds: number;
}

export type MixedLoadReply = { ok: true; result: MixedLoadResult } | { ok: false; message: string };

const SERVER_SCRIPT = path.join(__dirname, 'mixedLoadServer.ts');
const WORKER_SCRIPT = path.join(__dirname, 'mixedLoadWorker.ts');

/**
 * Reads the measured seconds from BENCH_LOAD_SECONDS (default 60). Shorter runs are for
 * development; the warm-up is a sixth of it, at least 3 s.
 */
function measuredSeconds(): number {
  const raw = process.env.BENCH_LOAD_SECONDS;
  if (raw === undefined || raw === '') {
    return 60;
  }
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 600) {
    throw new Error(
      `Invalid BENCH_LOAD_SECONDS=${JSON.stringify(raw)}: set a whole number of seconds from 5 to 600.`,
    );
  }
  return seconds;
}

/** Starts the server child process and waits for its URL. */
async function startServerProcess(
  dataDir: string,
): Promise<{ child: ChildProcess; url: string; measure(): Promise<ServerMeasure> }> {
  const child = fork(SERVER_SCRIPT, [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      DATABASE_URL: `sqlite:${path.join(dataDir, 'load.sqlite')}`,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'warn',
      BCRYPT_ROUNDS: '4',
      ADMIN_EMAIL: 'load-admin@example.com',
      ADMIN_PASSWORD: 'load-admin-password',
      PROVIDER_PRIVATE_NETWORKS: 'all',
      CHAT_MAX_ANSWERS_PER_USER: '1000',
      AUTH_MAX_FAILURES: '1000',
    },
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`The server process exited with code ${code}.`)));
    child.once('message', (message: ServerMessage) => {
      if (message.type === 'ready') {
        resolve(message.url);
      }
    });
  });
  const measure = () =>
    new Promise<ServerMeasure>((resolve) => {
      const listener = (message: ServerMessage) => {
        if (message.type === 'measure') {
          child.off('message', listener);
          resolve(message.measure);
        }
      };
      child.on('message', listener);
      child.send('measure');
    });
  return { child, url, measure };
}

/** Sends a JSON request during set-up and returns the parsed body, failing on another status. */
async function setUpRequest<T>(
  url: string,
  request: { method: string; body: unknown; expected: number; token?: string },
): Promise<T> {
  const { method, body, expected, token } = request;
  const response = await fetch(url, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== expected) {
    throw new Error(`Set-up ${method} ${url} returned ${response.status}: ${text}`);
  }
  return JSON.parse(text) as T;
}

/** Registers one user with a provider on the fake, a model config and a chat session. */
async function setUpUser(url: string, index: number, fake: { baseUrl: string; apiKey: string }) {
  const nickname = `load${index}`;
  const password = 'load-password-1';
  await setUpRequest(`${url}/api/auth/register`, {
    method: 'POST',
    body: { email: `${nickname}@example.com`, nickname, password },
    expected: 201,
  });
  const { accessToken: token } = await setUpRequest<{ accessToken: string }>(
    `${url}/api/auth/login`,
    { method: 'POST', body: { login: nickname, password, tokenDelivery: 'body' }, expected: 200 },
  );
  const { provider } = await setUpRequest<{ provider: { id: number } }>(`${url}/api/providers`, {
    method: 'POST',
    body: { name: 'Fake OpenAI', kind: 'openai', baseUrl: fake.baseUrl, apiKey: fake.apiKey },
    expected: 201,
    token,
  });
  const { modelConfig } = await setUpRequest<{ modelConfig: { id: number } }>(
    `${url}/api/model-configs`,
    { method: 'POST', body: { providerId: provider.id, modelId: 'gpt-4o' }, expected: 201, token },
  );
  const { session } = await setUpRequest<{ session: { id: number } }>(`${url}/api/chat/sessions`, {
    method: 'POST',
    body: { modelConfigId: modelConfig.id },
    expected: 201,
    token,
  });
  return { token, modelConfigId: modelConfig.id, chatSessionId: session.id };
}

/** Runs one job in the load worker process. */
function runWorker(job: MixedLoadJob): Promise<MixedLoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER_SCRIPT, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    let reply: MixedLoadReply | undefined;
    child.once('message', (message: MixedLoadReply) => {
      reply = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply === undefined) {
        reject(
          new Error(`The load worker exited with ${signal ?? `code ${code}`} before replying.`),
        );
      } else if (reply.ok) {
        resolve(reply.result);
      } else {
        reject(new Error(`The load worker failed: ${reply.message}`));
      }
    });
    child.send(job);
  });
}

const mebibytes = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
const round = (value: number) => Math.round(value * 10) / 10;

export async function run(): Promise<void> {
  const seconds = measuredSeconds();
  const warmupSeconds = Math.max(3, Math.round(seconds / 6));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-bench-load-'));
  const fake = await startFakeOpenAiServer();
  fake.answerWith({
    content: ['Hello', ' from', ' the', ' fake', ' provider.'],
    usage: { promptTokens: 12, completionTokens: 5 },
  });
  const server = await startServerProcess(dataDir);
  try {
    process.stderr.write(`Setting up ${USERS} users on ${server.url}\n`);
    const users: MixedLoadJob['users'] = [];
    for (let first = 0; first < USERS; first += 20) {
      const batch = Array.from({ length: Math.min(20, USERS - first) }, (_, offset) =>
        setUpUser(server.url, first + offset, fake),
      );
      users.push(...(await Promise.all(batch)));
    }
    // The fake records every request; the benchmark needs none of them.
    fake.requests.length = 0;

    process.stderr.write(`Warming up for ${warmupSeconds} s\n`);
    await runWorker({ url: server.url, users, seconds: warmupSeconds, thinkMs: THINK_MS });
    const before = await server.measure();

    process.stderr.write(`Measuring for ${seconds} s\n`);
    const meter = new CpuMeter();
    const result = await runWorker({ url: server.url, users, seconds, thinkMs: THINK_MS });
    const after = await server.measure();
    const otherCpuShare = meter.otherProcessesShare(
      result.workerCpuSeconds + after.cpuSeconds - before.cpuSeconds,
    );
    fake.requests.length = 0;

    const heapGrowth = after.heapUsedBytes - before.heapUsedBytes;
    const rssGrowth = after.rssBytes - before.rssBytes;
    const report = {
      benchmark: 'load',
      users: USERS,
      thinkMs: THINK_MS,
      seconds,
      warmupSeconds,
      requests: result.requests,
      requestsPerSecond: round(result.requestsPerSecond),
      counts: result.counts,
      failed: result.failed,
      failureSamples: result.failureSamples,
      plainLatencyMs: {
        p50: round(result.plainLatencyMs.p50),
        p99: round(result.plainLatencyMs.p99),
        max: round(result.plainLatencyMs.max),
      },
      chatLatencyMs: {
        p50: round(result.chatLatencyMs.p50),
        p99: round(result.chatLatencyMs.p99),
        max: round(result.chatLatencyMs.max),
      },
      memoryMiB: {
        heapBefore: mebibytes(before.heapUsedBytes),
        heapAfter: mebibytes(after.heapUsedBytes),
        rssBefore: mebibytes(before.rssBytes),
        rssAfter: mebibytes(after.rssBytes),
      },
      serverCpuSeconds: round(after.cpuSeconds - before.cpuSeconds),
      otherCpuShare: Math.round(otherCpuShare * 1000) / 1000,
      quiet: otherCpuShare <= QUIET_SHARE,
      targets: {
        noFailures: result.failed === 0,
        plainP99: result.plainLatencyMs.p99 < PLAIN_P99_TARGET_MS,
        heapFlat: heapGrowth <= HEAP_GROWTH_LIMIT_BYTES,
        rssFlat: rssGrowth <= RSS_GROWTH_LIMIT_BYTES,
      },
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  } finally {
    const exited = new Promise((resolve) => server.child.once('exit', resolve));
    server.child.send('stop');
    await exited;
    await fake.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function thinkMsFromEnvironment(): number {
  const text = process.env.BENCH_LOAD_THINK_MS;
  if (text === undefined || text === '') {
    return 1000;
  }
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) {
    throw new Error(
      `BENCH_LOAD_THINK_MS=${text} is not a whole number of milliseconds from 0 to 60000.`,
    );
  }
  return value;
}
