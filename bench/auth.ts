// Auth benchmark: login throughput against bare bcrypt.compare, and GET /api/auth/me throughput
// and latency against a bare Koa route, measured in one run on this machine.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import bcrypt from 'bcrypt';
import Koa from 'koa';
import pino from 'pino';
import type { ApiUser } from '../shared/src/api/users.js';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { startServer, type RunningServer } from '../server/src/server.js';
import { CpuMeter } from './cpu.js';
import { runLoad, type LoadJob, type LoadResult } from './load.js';
import { MeasurementWindow } from './window.js';

const BCRYPT_ROUNDS = 10;
const LOGIN_CONCURRENCY = 64;
const READ_CONNECTIONS = 200;
const WARMUP_SECONDS = 3;
const LOGIN_SECONDS = 8;
const READ_SECONDS = 6;
/**
 * Each comparison runs this many rounds, its two sides taking turns to go first, and the report
 * takes the median round. A slow spell on a shared machine then spoils one round, not the result.
 */
const ROUNDS = 3;

const TARGETS = { loginRatio: 0.85, readRatio: 0.5, readP99Ms: 25 };
/** Above this share of the CPU taken by other processes in any phase, the run is not quiet. */
const QUIET_OTHER_CPU_SHARE = 0.05;

const BENCH_USER = {
  email: 'bench-user@example.com',
  nickname: 'bench-user',
  password: 'bench-user-password',
};

/** The real server, the bare Koa app beside it in the same process, and the bench user's token. */
interface Bench {
  server: RunningServer;
  bareUrl: string;
  accessToken: string;
  close(): Promise<void>;
}

/** Runs both comparisons and prints a summary, then one JSON line with every figure. */
export async function run(): Promise<void> {
  const bench = await startBench();
  try {
    const loginRounds: LoginRound[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      const [bareCompares, logins] = await inTurn(
        index,
        async () => {
          progress(`round ${index + 1}: bare bcrypt.compare, ${LOGIN_CONCURRENCY} in flight`);
          return measureBareBcrypt();
        },
        async () => {
          progress(`round ${index + 1}: POST /api/auth/login, ${LOGIN_CONCURRENCY} connections`);
          return measureLogins(bench);
        },
      );
      loginRounds.push({ bareCompares, logins });
    }

    const readRounds: ReadRound[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      const [bareReads, reads] = await inTurn(
        index,
        async () => {
          progress(`round ${index + 1}: bare Koa route, ${READ_CONNECTIONS} connections`);
          // The bare route gets the same Authorization header, so both sides send the same request.
          return measureRead(`${bench.bareUrl}/bare`, bench.accessToken);
        },
        async () => {
          progress(`round ${index + 1}: GET /api/auth/me, ${READ_CONNECTIONS} connections`);
          return measureRead(`${bench.server.url}/api/auth/me`, bench.accessToken);
        },
      );
      readRounds.push({ bareReads, reads });
    }

    const report = buildReport(loginRounds, readRounds);
    process.stdout.write(`${summarize(report)}\n${JSON.stringify(report)}\n`);
  } finally {
    await bench.close();
  }
}

/**
 * Runs the bare side and the server side of one round, the bare side first in even rounds and
 * second in odd ones, waiting for the process to go idle after each.
 */
async function inTurn<Bare, Server>(
  index: number,
  bare: () => Promise<Bare>,
  server: () => Promise<Server>,
): Promise<[Bare, Server]> {
  if (index % 2 === 0) {
    const bareResult = await bare();
    await waitUntilIdle();
    const serverResult = await server();
    await waitUntilIdle();
    return [bareResult, serverResult];
  }
  const serverResult = await server();
  await waitUntilIdle();
  const bareResult = await bare();
  await waitUntilIdle();
  return [bareResult, serverResult];
}

async function startBench(): Promise<Bench> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-bench-auth-'));
  // Only these variables, not process.env, so a DATABASE_URL or HOST set in the shell cannot
  // point the benchmark at another database or address.
  const config = loadConfig({
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    BCRYPT_ROUNDS: String(BCRYPT_ROUNDS),
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    // The login limit counts attempts still in flight against the account and the address, so at
    // the default of 5 most of 64 concurrent logins from one address get 429. The limit's queries
    // and audit writes still run on every login.
    AUTH_MAX_FAILURES: '1000',
  });
  // Warnings go to stderr, so stdout carries only the report.
  const logger = createLogger(config.logLevel, pino.destination({ fd: 2, sync: false }));
  const server = await startServer(config, logger);
  const bare = await startBareKoa();
  const close = async () => {
    await new Promise<void>((resolve) => bare.server.close(() => resolve()));
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const user = await registerUser(server.url);
    bare.setBody({ user });
    const accessToken = await logIn(server.url);
    return { server, bareUrl: bare.url, accessToken, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Starts a minimal Koa app on loopback that returns a fixed JSON body (set to the same `{ user }`
 * that GET /api/auth/me returns), with no middleware: the floor for any Koa route here.
 */
async function startBareKoa() {
  let body: unknown = {};
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = body;
  });
  const handleRequest = app.callback();
  const server = http.createServer((request, response) => void handleRequest(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    setBody: (value: unknown) => {
      body = value;
    },
  };
}

async function registerUser(url: string): Promise<ApiUser> {
  const response = await postJson(`${url}/api/auth/register`, BENCH_USER);
  return (response as { user: ApiUser }).user;
}

async function logIn(url: string): Promise<string> {
  const response = await postJson(`${url}/api/auth/login`, loginBody());
  return (response as { accessToken: string }).accessToken;
}

function loginBody() {
  return { login: BENCH_USER.email, password: BENCH_USER.password, tokenDelivery: 'body' };
}

async function postJson(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`POST ${url} failed with ${response.status}: ${await response.text()}`);
  }
  return response.json();
}

/**
 * Measures bcrypt.compare completions per second with LOGIN_CONCURRENCY calls in flight, on the
 * same libuv thread pool the server's logins use, over the same warm-up and window as the logins.
 */
async function measureBareBcrypt(): Promise<BareCompares> {
  const hash = await bcrypt.hash(BENCH_USER.password, BCRYPT_ROUNDS);
  if (!(await bcrypt.compare(BENCH_USER.password, hash))) {
    throw new Error('bcrypt.compare rejected the password it was hashed from.');
  }
  const meter = new CpuMeter();
  const window = new MeasurementWindow(WARMUP_SECONDS, LOGIN_SECONDS);
  let completed = 0;
  const keepComparing = async () => {
    while (!window.isClosed()) {
      await bcrypt.compare(BENCH_USER.password, hash);
      if (window.contains(performance.now())) {
        completed += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: LOGIN_CONCURRENCY }, keepComparing));
  return {
    perSecond: completed / window.durationSeconds,
    otherCpuShare: meter.otherProcessesShare(),
  };
}

function measureLogins(bench: Bench): Promise<MeteredLoad> {
  return runMeteredLoad({
    url: `${bench.server.url}/api/auth/login`,
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(loginBody()),
    connections: LOGIN_CONCURRENCY,
    warmupSeconds: WARMUP_SECONDS,
    durationSeconds: LOGIN_SECONDS,
  });
}

function measureRead(url: string, accessToken: string): Promise<MeteredLoad> {
  return runMeteredLoad({
    url,
    method: 'GET',
    headers: { Authorization: `Bearer ${accessToken}` },
    connections: READ_CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    durationSeconds: READ_SECONDS,
  });
}

async function runMeteredLoad(job: LoadJob): Promise<MeteredLoad> {
  const meter = new CpuMeter();
  const result = await runLoad(job);
  return { ...result, otherCpuShare: meter.otherProcessesShare(result.workerCpuSeconds) };
}

/**
 * Waits until this process, the server and its thread pool included, uses under 5% of a core for
 * two 200 ms samples in a row. Requests that a finished load run left in flight (up to 64 logins
 * queued for bcrypt) would otherwise eat into the next measurement.
 */
async function waitUntilIdle(): Promise<void> {
  const SAMPLE_MS = 200;
  const IDLE_SHARE = 0.05;
  const GIVE_UP_MS = 30_000;
  const started = performance.now();
  let idleSamples = 0;
  while (idleSamples < 2) {
    if (performance.now() - started > GIVE_UP_MS) {
      throw new Error(
        `The server was still busy ${GIVE_UP_MS / 1000} s after a load run. ` +
          'Stop other work on the machine and rerun.',
      );
    }
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    const used = process.cpuUsage(before);
    const share = (used.user + used.system) / 1000 / SAMPLE_MS;
    idleSamples = share < IDLE_SHARE ? idleSamples + 1 : 0;
  }
}

/**
 * The share of all cores (0 to 1) that other processes on the machine used during a phase, from
 * CpuMeter. A figure measured while it is above a few percent understates this code's speed.
 */
interface OtherCpu {
  otherCpuShare: number;
}

type BareCompares = OtherCpu & { perSecond: number };
type MeteredLoad = LoadResult & OtherCpu;

interface LoginRound {
  bareCompares: BareCompares;
  logins: MeteredLoad;
}

interface ReadRound {
  bareReads: MeteredLoad;
  reads: MeteredLoad;
}

/** Returns the round whose ratio is the median one, with that ratio. */
function medianRound<Round>(rounds: Round[], ratioOf: (item: Round) => number) {
  const sorted = rounds
    .map((item) => ({ round: item, ratio: ratioOf(item) }))
    .sort((left, right) => left.ratio - right.ratio);
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) {
    throw new Error('No rounds were measured.');
  }
  return median;
}

/** Returns the median of the values. */
function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function buildReport(loginRounds: LoginRound[], readRounds: ReadRound[]) {
  const loginMedian = medianRound(
    loginRounds,
    (item) => item.logins.requestsPerSecond / item.bareCompares.perSecond,
  );
  const { bareCompares, logins } = loginMedian.round;
  const loginRatio = loginMedian.ratio;
  const readMedian = medianRound(
    readRounds,
    (item) => item.reads.requestsPerSecond / item.bareReads.requestsPerSecond,
  );
  const { bareReads, reads } = readMedian.round;
  const readRatio = readMedian.ratio;
  // The p99 target is judged on the median of the rounds' p99s, not on the median-ratio round.
  const readP99 = median(readRounds.map((item) => item.reads.latencyMs.p99));
  const login = {
    concurrency: LOGIN_CONCURRENCY,
    bcryptRounds: BCRYPT_ROUNDS,
    loginsPerSecond: round(logins.requestsPerSecond),
    bareComparesPerSecond: round(bareCompares.perSecond),
    ratio: round(loginRatio, 3),
    ratioTarget: TARGETS.loginRatio,
    ratioMet: loginRatio >= TARGETS.loginRatio,
    roundRatios: loginRounds.map((item) =>
      round(item.logins.requestsPerSecond / item.bareCompares.perSecond, 3),
    ),
    latencyMs: roundLatency(logins),
    failures: failureCounts(logins),
    otherCpuShare: {
      login: round(logins.otherCpuShare, 3),
      bare: round(bareCompares.otherCpuShare, 3),
    },
  };
  const me = {
    connections: READ_CONNECTIONS,
    requestsPerSecond: round(reads.requestsPerSecond),
    latencyMs: roundLatency(reads),
    bareRequestsPerSecond: round(bareReads.requestsPerSecond),
    bareLatencyMs: roundLatency(bareReads),
    ratio: round(readRatio, 3),
    ratioTarget: TARGETS.readRatio,
    ratioMet: readRatio >= TARGETS.readRatio,
    roundRatios: readRounds.map((item) =>
      round(item.reads.requestsPerSecond / item.bareReads.requestsPerSecond, 3),
    ),
    p99Ms: round(readP99),
    roundP99Ms: readRounds.map((item) => round(item.reads.latencyMs.p99)),
    p99TargetMs: TARGETS.readP99Ms,
    p99Met: readP99 < TARGETS.readP99Ms,
    failures: failureCounts(reads),
    bareFailures: failureCounts(bareReads),
    otherCpuShare: { me: round(reads.otherCpuShare, 3), bare: round(bareReads.otherCpuShare, 3) },
  };
  const phases = [
    ...loginRounds.flatMap((item) => [item.bareCompares, item.logins]),
    ...readRounds.flatMap((item) => [item.bareReads, item.reads]),
  ];
  const busiestOtherCpuShare = Math.max(...phases.map((phase) => phase.otherCpuShare));
  return {
    bench: 'auth',
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      threadPoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
    },
    rounds: ROUNDS,
    windowSeconds: { warmup: WARMUP_SECONDS, login: LOGIN_SECONDS, read: READ_SECONDS },
    login,
    me,
    allMet: login.ratioMet && me.ratioMet && me.p99Met,
    busiestOtherCpuShare: round(busiestOtherCpuShare, 3),
    quiet: busiestOtherCpuShare < QUIET_OTHER_CPU_SHARE,
  };
}

type Report = ReturnType<typeof buildReport>;

function summarize(report: Report): string {
  const { login, me } = report;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const quietLimit = percent(QUIET_OTHER_CPU_SHARE);
  return [
    `machine: ${report.machine.cpus} cores, ${report.machine.cpuModel}, node ${report.machine.node}`,
    `${report.rounds} rounds per comparison; the median round is reported`,
    `login (${login.concurrency} concurrent, bcrypt cost ${login.bcryptRounds}): ` +
      `${login.loginsPerSecond} logins/s vs bare bcrypt.compare ${login.bareComparesPerSecond}/s, ` +
      `ratio ${login.ratio} (rounds ${login.roundRatios.join(', ')}; ` +
      `target >= ${login.ratioTarget}: ${verdict(login.ratioMet)})`,
    `GET /api/auth/me (${me.connections} connections): ${me.requestsPerSecond} req/s, ` +
      `p50 ${me.latencyMs.p50} ms, p99 ${me.latencyMs.p99} ms`,
    `bare Koa route (${me.connections} connections): ${me.bareRequestsPerSecond} req/s, ` +
      `p50 ${me.bareLatencyMs.p50} ms, p99 ${me.bareLatencyMs.p99} ms`,
    `me/bare ratio ${me.ratio} (rounds ${me.roundRatios.join(', ')}; ` +
      `target >= ${me.ratioTarget}: ${verdict(me.ratioMet)})`,
    `me p99 ${me.p99Ms} ms, median of rounds ${me.roundP99Ms.join(', ')} ` +
      `(target < ${me.p99TargetMs} ms: ${verdict(me.p99Met)})`,
    report.quiet
      ? `quiet run: other processes stayed under ${quietLimit} of the CPU in every phase`
      : `NOT quiet: other processes took up to ${percent(report.busiestOtherCpuShare)} of the ` +
        `CPU in a phase (over ${quietLimit}); rerun on an idle machine before trusting the ratios`,
  ].join('\n');
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function failureCounts(result: LoadResult) {
  return { non2xx: result.failed, errors: result.errors, timeouts: result.timeouts };
}

function roundLatency(result: LoadResult) {
  return {
    p50: round(result.latencyMs.p50),
    p99: round(result.latencyMs.p99),
    max: round(result.latencyMs.max),
  };
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function progress(step: string): void {
  process.stderr.write(`auth bench: measuring ${step}\n`);
}
