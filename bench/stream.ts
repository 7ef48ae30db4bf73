// Chat relay benchmark: the time to first token the server adds, its content throughput and its
// memory per open stream, measured through the real server against the openai SDK reading the
// same provider directly, in one run on this machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  startFakeOpenAiServer,
  type FakeOpenAiServer,
} from '../server/src/testing/fakeProviders/openai.js';
import { CpuMeter } from './cpu.js';
import {
  createModelConfig,
  createSession,
  directClient,
  readChatAnswer,
  readDirectAnswer,
  signUp,
  type BenchUser,
  type ChatReading,
  type StreamReading,
} from './streamClients.js';
import type { ServerSample } from './streamServer.js';
import { ServerProcess } from './streamServerHandle.js';
import { startStreamUpstream, type StreamUpstream } from './streamUpstream.js';
import { percentile } from './window.js';

/** Sequential request pairs (one through the server, one direct) for the time to first token. */
const TTFT = { warmupPairs: 30, measuredPairs: 300 };
/**
 * The short answer of the time-to-first-token requests. The fake sends it with `chunkDelayMs: 0`,
 * its shortest pause: a timer of at least 1 ms between chunks, which both sides wait for alike.
 */
const TTFT_ANSWER = ['Hello', ' there', '.'];
/** Content chunks of the long answer, and the rounds of the throughput comparison. */
const THROUGHPUT = { pieces: 20_000, warmupRounds: 1, measuredRounds: 5 };
/**
 * Streams held open at once, spread over users so that each stays within the per-user answer
 * limit, and the slow answer that keeps them open: 45 chunks a second apart, so a stream lasts
 * about 45 s, longer than it takes to open them all. At one chunk a second per stream, relaying
 * the open streams leaves the server time to open the others.
 */
const CONCURRENCY = { streams: 1000, users: 10, pieces: 45, chunkDelayMs: 1000 };
/** Sessions created at once while preparing the concurrent streams. */
const SETUP_PARALLELISM = 20;
/**
 * The memory sample waits at most this long for every stream to have its first content. When
 * it stops waiting first, the report gives fewer streams open than opened, and the memory target
 * counts as missed.
 */
const ALL_OPEN_TIMEOUT_MS = 60_000;

const TARGETS = {
  addedTtftP50Ms: 3,
  addedTtftP99Ms: 15,
  throughputRatio: 0.8,
  bytesPerStream: 100 * 1024,
};
/** Above this share of the CPU taken by other processes in any phase, the run is not quiet. */
const QUIET_OTHER_CPU_SHARE = 0.05;
const MODEL = 'gpt-4o';

/** The processes and accounts every phase uses. */
interface Bench {
  server: ServerProcess;
  fake: FakeOpenAiServer;
  upstream: StreamUpstream;
  /** One user per group of concurrent streams; the first also runs the sequential phases. */
  users: BenchUser[];
  /** Model configs on the fake, one per user, in the order of `users`. */
  fakeConfigIds: number[];
  /** The first user's model config on the unpaced upstream. */
  upstreamConfigId: number;
}

/**
 * Runs the three phases and prints a summary, then one JSON line with every figure.
 * `npm run bench -- stream --cpu-prof` also writes a CPU profile of the server process.
 */
export async function run(): Promise<void> {
  const started = performance.now();
  const cpuProfileDir = cpuProfileDirFromArguments();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-bench-stream-'));
  const pieces = longAnswer(THROUGHPUT.pieces);
  const fake = await startFakeOpenAiServer();
  const upstream = await startStreamUpstream(pieces);
  let server: ServerProcess | undefined;
  try {
    server = await ServerProcess.start(serverEnv(dataDir), cpuProfileDir);
    const bench = await prepare(server, fake, upstream);
    const ttft = await measureTtft(bench);
    const throughput = await measureThroughput(bench, pieces);
    const concurrency = await measureConcurrency(bench);
    const report = buildReport({
      ttft,
      throughput,
      concurrency,
      totalSeconds: (performance.now() - started) / 1000,
    });
    process.stdout.write(`${summarize(report)}\n${JSON.stringify(report)}\n`);
  } finally {
    await server?.stop();
    await fake.close();
    await upstream.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (cpuProfileDir !== undefined) {
      process.stderr.write(`stream bench: the server's CPU profile is in ${cpuProfileDir}\n`);
    }
  }
}

function cpuProfileDirFromArguments(): string | undefined {
  const argument = process.argv[3];
  if (argument === undefined) {
    return undefined;
  }
  if (argument !== '--cpu-prof') {
    throw new Error(
      `Unknown argument ${JSON.stringify(argument)}: the stream bench takes only --cpu-prof.`,
    );
  }
  // .prof/ is ignored by git and by the linters.
  const folder = path.join(__dirname, '..', '.prof');
  fs.mkdirSync(folder, { recursive: true });
  return fs.mkdtempSync(path.join(folder, 'stream-'));
}

/** Returns the server's environment: only these variables, not process.env, as in the auth bench. */
function serverEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    // Logins are not measured here, so the cheapest cost keeps the setup short.
    BCRYPT_ROUNDS: '4',
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: 'bench-admin-password',
    // The providers are fakes on loopback, which plain users may reach only with this setting.
    PROVIDER_PRIVATE_NETWORKS: 'all',
    // Each user runs CONCURRENCY.streams / CONCURRENCY.users answers at once; the default is 8.
    CHAT_MAX_ANSWERS_PER_USER: String(CONCURRENCY.streams / CONCURRENCY.users),
  };
}

/** Returns `count` content pieces of one word each, as a model streams tokens. */
function longAnswer(count: number): string[] {
  const words = (
    'the a of to and in is that for it with as on was model data token answer question ' +
    'explain list step first then result value example because however therefore function ' +
    'return string number café naïve 数据 résumé'
  ).split(' ');
  return Array.from({ length: count }, (_, index) => ` ${words[(index * 7) % words.length]}`);
}

async function prepare(
  server: ServerProcess,
  fake: FakeOpenAiServer,
  upstream: StreamUpstream,
): Promise<Bench> {
  progress('preparing users, providers and model configs');
  const users: BenchUser[] = [];
  const fakeConfigIds: number[] = [];
  for (let index = 0; index < CONCURRENCY.users; index += 1) {
    const user = await signUp(server.url, `bench-user-${index}`);
    users.push(user);
    fakeConfigIds.push(
      await createModelConfig(server.url, user, {
        name: 'fake openai',
        baseUrl: fake.baseUrl,
        apiKey: fake.apiKey,
        modelId: MODEL,
      }),
    );
  }
  const upstreamConfigId = await createModelConfig(server.url, users[0]!, {
    name: 'unpaced upstream',
    baseUrl: upstream.baseUrl,
    apiKey: upstream.apiKey,
    modelId: upstream.model,
  });
  return { server, fake, upstream, users, fakeConfigIds, upstreamConfigId };
}

// Time to first token.

interface TtftResult {
  serverMs: number[];
  /** For each server request, the time to its `start` event. */
  serverStartMs: number[];
  /** For each server request, the CPU milliseconds the server process used to answer it. */
  serverCpuMs: number[];
  directMs: number[];
  otherCpuShare: number;
}

/**
 * Sends sequential requests in pairs, one through the server and one straight to the fake with
 * the SDK, the side that goes first alternating. Each server request goes to a new session, as
 * the first message of a chat does.
 */
async function measureTtft(bench: Bench): Promise<TtftResult> {
  bench.fake.answerWith({ content: TTFT_ANSWER, chunkDelayMs: 0, usage: USAGE });
  const client = directClient(bench.fake);
  const user = bench.users[0]!;
  const configId = bench.fakeConfigIds[0]!;
  const viaServer = async () => {
    const sessionId = await createSession(bench.server.url, user, configId);
    const before = await bench.server.sample(false);
    const reading = await readChatAnswer(bench.server.url, user, {
      sessionId,
      content: 'Say hello.',
    });
    // The server stores the answer and its usage record before it sends `done`. What it does
    // after the response ends, such as closing it, counts in the next request's figure.
    const after = await bench.server.sample(false);
    checkChatReading(reading, TTFT_ANSWER.join('').length, 'a time-to-first-token request');
    return {
      firstContentMs: reading.firstContentMs!,
      startEventMs: reading.startEventMs!,
      cpuMs: (after.cpuSeconds - before.cpuSeconds) * 1000,
    };
  };
  const direct = async () => {
    const reading = await readDirectAnswer(client, { model: MODEL, content: 'Say hello.' });
    checkDirectReading(reading, TTFT_ANSWER.join('').length);
    return reading.firstContentMs!;
  };

  progress(`time to first token: ${TTFT.warmupPairs} warm-up pairs`);
  for (let index = 0; index < TTFT.warmupPairs; index += 1) {
    await inTurn(index, direct, viaServer);
  }
  progress(`time to first token: ${TTFT.measuredPairs} measured pairs`);
  const meter = new CpuMeter();
  const cpuBefore = await bench.server.sample(false);
  const serverMs: number[] = [];
  const serverStartMs: number[] = [];
  const serverCpuMs: number[] = [];
  const directMs: number[] = [];
  for (let index = 0; index < TTFT.measuredPairs; index += 1) {
    const [directTtft, serverTtft] = await inTurn(index, direct, viaServer);
    directMs.push(directTtft);
    serverMs.push(serverTtft.firstContentMs);
    serverStartMs.push(serverTtft.startEventMs);
    serverCpuMs.push(serverTtft.cpuMs);
  }
  const cpuAfter = await bench.server.sample(false);
  return {
    serverMs,
    serverStartMs,
    serverCpuMs,
    directMs,
    otherCpuShare: meter.otherProcessesShare(cpuAfter.cpuSeconds - cpuBefore.cpuSeconds),
  };
}

const USAGE = { promptTokens: 12, completionTokens: 3, reasoningTokens: 0 };

/** Runs the direct side first in even rounds and second in odd ones. */
async function inTurn<Direct, Server>(
  index: number,
  direct: () => Promise<Direct>,
  server: () => Promise<Server>,
): Promise<[Direct, Server]> {
  if (index % 2 === 0) {
    const directResult = await direct();
    return [directResult, await server()];
  }
  const serverResult = await server();
  return [await direct(), serverResult];
}

// Throughput.

interface ThroughputRound {
  direct: StreamReading;
  server: ChatReading;
  /** CPU seconds this process (upstream and SDK) used for the direct side of the round. */
  directCpuSeconds: number;
  /** CPU seconds the server process used for its side of the round. */
  serverCpuSeconds: number;
  /** CPU seconds this process (upstream and event reader) used for the server's side. */
  serverClientCpuSeconds: number;
}

interface ThroughputResult {
  rounds: ThroughputRound[];
  otherCpuShare: number;
}

/**
 * Streams the long answer from the unpaced upstream, through the server and directly with the
 * SDK, in rounds whose first side alternates.
 */
async function measureThroughput(bench: Bench, pieces: string[]): Promise<ThroughputResult> {
  const expected = pieces.join('');
  const client = directClient(bench.upstream);
  const user = bench.users[0]!;
  const direct = async () => {
    const cpuBefore = processCpuSeconds();
    const reading = await readDirectAnswer(
      client,
      { model: bench.upstream.model, content: 'Write a long answer.' },
      { keepContent: true },
    );
    checkDirectReading(reading, expected.length);
    if (reading.content !== expected) {
      throw new Error('The SDK read an answer that differs from the one the upstream sent.');
    }
    return { reading, cpuSeconds: processCpuSeconds() - cpuBefore };
  };
  const viaServer = async () => {
    const sessionId = await createSession(bench.server.url, user, bench.upstreamConfigId);
    const before = await bench.server.sample(false);
    const clientCpuBefore = processCpuSeconds();
    const reading = await readChatAnswer(
      bench.server.url,
      user,
      { sessionId, content: 'Write a long answer.' },
      { keepContent: true },
    );
    const clientCpuSeconds = processCpuSeconds() - clientCpuBefore;
    const after = await bench.server.sample(false);
    checkChatReading(reading, expected.length, 'the long answer');
    if (reading.content !== expected) {
      throw new Error('The server relayed an answer that differs from the one the upstream sent.');
    }
    return { reading, cpuSeconds: after.cpuSeconds - before.cpuSeconds, clientCpuSeconds };
  };

  const total = THROUGHPUT.warmupRounds + THROUGHPUT.measuredRounds;
  const rounds: ThroughputRound[] = [];
  let meter: CpuMeter | undefined;
  let serverCpuSeconds = 0;
  for (let index = 0; index < total; index += 1) {
    const measured = index >= THROUGHPUT.warmupRounds;
    progress(
      `throughput: ${measured ? 'measured' : 'warm-up'} round ${index + 1} of ${total}, ` +
        `${pieces.length} chunks each way`,
    );
    if (measured) {
      meter ??= new CpuMeter();
    }
    const [read, served] = await inTurn(index, direct, viaServer);
    if (measured) {
      rounds.push({
        direct: read.reading,
        server: served.reading,
        directCpuSeconds: read.cpuSeconds,
        serverCpuSeconds: served.cpuSeconds,
        serverClientCpuSeconds: served.clientCpuSeconds,
      });
      serverCpuSeconds += served.cpuSeconds;
    }
  }
  return { rounds, otherCpuShare: meter?.otherProcessesShare(serverCpuSeconds) ?? 0 };
}

// Concurrent streams.

interface ConcurrencyResult {
  /** Each stream's reading, or the error that ended its request. */
  readings: (ChatReading | Error)[];
  /** Streams that had their first content and had not ended when the peak sample was taken. */
  openAtPeak: number;
  /** Responses of the fake still open at the peak sample. */
  fakeOpenAtPeak: number;
  secondsToAllOpen: number;
  /** CPU seconds this process (the fake and the readers) used until every stream was open. */
  benchCpuSecondsToAllOpen: number;
  before: ServerSample;
  peak: ServerSample;
  /** The peak before its garbage collection. */
  peakWithGarbage: ServerSample;
  after: ServerSample;
  otherCpuShare: number;
}

/**
 * Opens CONCURRENCY.streams streams at once, each to its own session, on a slow answer, samples
 * the server's memory once every stream has its first content, and reads them all to the end.
 */
async function measureConcurrency(bench: Bench): Promise<ConcurrencyResult> {
  const pieces = longAnswer(CONCURRENCY.pieces);
  bench.fake.answerWith({ content: pieces, chunkDelayMs: CONCURRENCY.chunkDelayMs, usage: USAGE });
  const perUser = CONCURRENCY.streams / CONCURRENCY.users;
  progress(`concurrency: creating ${CONCURRENCY.streams} sessions`);
  const targets = await inBatches(
    Array.from({ length: CONCURRENCY.streams }, (_, index) => Math.floor(index / perUser)),
    SETUP_PARALLELISM,
    async (userIndex) => ({
      user: bench.users[userIndex]!,
      sessionId: await createSession(
        bench.server.url,
        bench.users[userIndex]!,
        bench.fakeConfigIds[userIndex]!,
      ),
    }),
  );
  const before = await bench.server.sample(true);

  progress(`concurrency: opening ${CONCURRENCY.streams} streams`);
  const meter = new CpuMeter();
  const opened = performance.now();
  const benchCpuAtOpen = processCpuSeconds();
  const counter = new OpenStreamCounter(CONCURRENCY.streams);
  const streams = targets.map(async ({ user, sessionId }) => {
    const stream = counter.add();
    try {
      return await readChatAnswer(
        bench.server.url,
        user,
        { sessionId, content: 'Write a slow answer.' },
        { keepContent: true, onFirstContent: stream.opened },
      );
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    } finally {
      stream.ended();
    }
  });
  await counter.allOpened(ALL_OPEN_TIMEOUT_MS);
  const secondsToAllOpen = (performance.now() - opened) / 1000;
  const benchCpuSecondsToAllOpen = processCpuSeconds() - benchCpuAtOpen;
  const openAtPeak = counter.open;
  const fakeOpenAtPeak = bench.fake.openStreams;
  const peakWithGarbage = await bench.server.sample(false);
  const peak = await bench.server.sample(true);
  progress(
    `concurrency: ${openAtPeak} streams open after ${secondsToAllOpen.toFixed(1)} s; ` +
      'reading them to the end',
  );
  const readings = await Promise.all(streams);
  const after = await bench.server.sample(true);
  return {
    readings,
    openAtPeak,
    fakeOpenAtPeak,
    secondsToAllOpen,
    benchCpuSecondsToAllOpen,
    before,
    peak,
    peakWithGarbage,
    after,
    otherCpuShare: meter.otherProcessesShare(after.cpuSeconds - before.cpuSeconds),
  };
}

/** Counts the streams that had their first content and have not ended yet. */
class OpenStreamCounter {
  open = 0;
  /** Streams that had their first content or ended without it. */
  private settled = 0;
  private onSettled: (() => void) | undefined;

  constructor(private readonly total: number) {}

  /** Returns the callbacks of one more stream: call `opened` at its first content, `ended` last. */
  add(): { opened: () => void; ended: () => void } {
    let hadContent = false;
    let ended = false;
    return {
      opened: () => {
        hadContent = true;
        this.open += 1;
        this.settle();
      },
      ended: () => {
        if (ended) {
          return;
        }
        ended = true;
        if (hadContent) {
          this.open -= 1;
        } else {
          this.settle();
        }
      },
    };
  }

  /**
   * Waits until every stream had its first content or ended without it, or until `timeoutMs`
   * passed, whichever comes first. The caller compares `open` with the total.
   */
  async allOpened(timeoutMs: number): Promise<void> {
    if (this.settled >= this.total) {
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.onSettled = resolve;
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  private settle(): void {
    this.settled += 1;
    if (this.settled >= this.total) {
      this.onSettled?.();
    }
  }
}

/** Runs `work` on every item with at most `parallelism` at once; returns the results in order. */
async function inBatches<Item, Result>(
  items: Item[],
  parallelism: number,
  work: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = [];
  for (let start = 0; start < items.length; start += parallelism) {
    results.push(...(await Promise.all(items.slice(start, start + parallelism).map(work))));
  }
  return results;
}

// Checks.

function checkChatReading(reading: ChatReading, expectedChars: number, request: string): void {
  if (reading.status !== 200 || reading.failure !== null || reading.doneStatus !== 'complete') {
    throw new Error(
      `The server failed ${request}: HTTP ${reading.status}, done status ` +
        `${String(reading.doneStatus)}, failure ${String(reading.failure)}.`,
    );
  }
  if (reading.contentChars !== expectedChars) {
    throw new Error(
      `The server relayed ${reading.contentChars} characters of ${request} where the provider ` +
        `sent ${expectedChars}.`,
    );
  }
}

function checkDirectReading(reading: StreamReading, expectedChars: number): void {
  if (reading.contentChars !== expectedChars) {
    throw new Error(
      `The SDK read ${reading.contentChars} characters where the provider sent ${expectedChars}.`,
    );
  }
}

/**
 * Counts the ways the concurrent streams failed, all zero when every one completed whole, with
 * up to five distinct messages of the failures.
 */
function concurrencyFailures(result: ConcurrencyResult) {
  const counts = { requestError: 0, httpStatus: 0, errorEvent: 0, notComplete: 0, wrongContent: 0 };
  const messages = new Set<string>();
  const expected = longAnswer(CONCURRENCY.pieces).join('');
  for (const reading of result.readings) {
    if (reading instanceof Error) {
      counts.requestError += 1;
      messages.add(reading.message);
    } else if (reading.status !== 200) {
      counts.httpStatus += 1;
      messages.add(`HTTP ${reading.status}: ${reading.failure ?? ''}`);
    } else if (reading.failure !== null) {
      counts.errorEvent += 1;
      messages.add(`error event ${reading.failure}`);
    } else if (reading.doneStatus !== 'complete') {
      counts.notComplete += 1;
      messages.add(`done status ${String(reading.doneStatus)}`);
    } else if (reading.content !== expected) {
      counts.wrongContent += 1;
      messages.add(`${reading.contentChars} of ${expected.length} characters`);
    }
  }
  return { counts, messages: [...messages].slice(0, 5) };
}

// Report.

function buildReport(results: {
  ttft: TtftResult;
  throughput: ThroughputResult;
  concurrency: ConcurrencyResult;
  totalSeconds: number;
}) {
  const ttft = ttftFigures(results.ttft);
  const throughput = throughputFigures(results.throughput);
  const concurrency = concurrencyFigures(results.concurrency);
  const busiestOtherCpuShare = Math.max(
    results.ttft.otherCpuShare,
    results.throughput.otherCpuShare,
    results.concurrency.otherCpuShare,
  );
  return {
    bench: 'stream',
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
    },
    ttft,
    throughput,
    concurrency,
    allMet:
      ttft.addedP50Met &&
      ttft.addedP99Met &&
      throughput.ratioMet &&
      concurrency.completedMet &&
      concurrency.memoryMet,
    busiestOtherCpuShare: round(busiestOtherCpuShare, 3),
    quiet: busiestOtherCpuShare < QUIET_OTHER_CPU_SHARE,
    totalSeconds: round(results.totalSeconds),
  };
}

function ttftFigures(result: TtftResult) {
  const server = [...result.serverMs].sort((a, b) => a - b);
  const direct = [...result.directMs].sort((a, b) => a - b);
  const distribution = (sorted: number[]) => ({
    p50: round(percentile(sorted, 50), 2),
    p90: round(percentile(sorted, 90), 2),
    p99: round(percentile(sorted, 99), 2),
    max: round(sorted.at(-1) ?? Number.NaN, 2),
  });
  const addedP50 = percentile(server, 50) - percentile(direct, 50);
  const addedP99 = percentile(server, 99) - percentile(direct, 99);
  const start = [...result.serverStartMs].sort((a, b) => a - b);
  const afterStart = result.serverMs
    .map((firstContent, index) => firstContent - (result.serverStartMs[index] ?? Number.NaN))
    .sort((a, b) => a - b);
  return {
    pairs: TTFT.measuredPairs,
    warmupPairs: TTFT.warmupPairs,
    serverMs: distribution(server),
    directMs: distribution(direct),
    // The server's time splits at its `start` event: storing the messages before it, and the
    // provider call and relay after it.
    serverStartEventMs: distribution(start),
    serverStartToFirstContentMs: distribution(afterStart),
    serverCpuMsPerMessage: distribution([...result.serverCpuMs].sort((a, b) => a - b)),
    addedP50Ms: round(addedP50, 2),
    addedP50TargetMs: TARGETS.addedTtftP50Ms,
    addedP50Met: addedP50 < TARGETS.addedTtftP50Ms,
    addedP99Ms: round(addedP99, 2),
    addedP99TargetMs: TARGETS.addedTtftP99Ms,
    addedP99Met: addedP99 < TARGETS.addedTtftP99Ms,
    otherCpuShare: round(result.otherCpuShare, 3),
  };
}

function throughputFigures(result: ThroughputResult) {
  const rate = (reading: StreamReading) => reading.contentChars / (reading.lastContentMs! / 1000);
  const perChunk = (cpuSeconds: number, reading: StreamReading) =>
    round((cpuSeconds * 1e6) / reading.contentEvents, 1);
  const rounds = result.rounds.map((item) => ({
    directCharsPerSecond: Math.round(rate(item.direct)),
    serverCharsPerSecond: Math.round(rate(item.server)),
    ratio: round(rate(item.server) / rate(item.direct), 3),
    directSeconds: round(item.direct.lastContentMs! / 1000, 3),
    serverSeconds: round(item.server.lastContentMs! / 1000, 3),
    cpuMicrosecondsPerChunk: {
      direct: perChunk(item.directCpuSeconds, item.direct),
      server: perChunk(item.serverCpuSeconds, item.server),
      serverClient: perChunk(item.serverClientCpuSeconds, item.server),
    },
  }));
  const ratios = rounds.map((item) => item.ratio);
  const ratio = median(ratios);
  const first = result.rounds[0];
  const cpu = rounds.map((item) => item.cpuMicrosecondsPerChunk);
  return {
    chunks: first?.direct.contentEvents ?? 0,
    contentChars: first?.direct.contentChars ?? 0,
    rounds,
    directCharsPerSecond: Math.round(median(rounds.map((item) => item.directCharsPerSecond))),
    serverCharsPerSecond: Math.round(median(rounds.map((item) => item.serverCharsPerSecond))),
    ratio: round(ratio, 3),
    ratioSpread: { min: Math.min(...ratios), max: Math.max(...ratios) },
    ratioTarget: TARGETS.throughputRatio,
    ratioMet: ratio >= TARGETS.throughputRatio,
    // CPU time per chunk suffers less than wall time when other processes take the cores.
    cpuMicrosecondsPerChunk: {
      direct: median(cpu.map((item) => item.direct)),
      server: median(cpu.map((item) => item.server)),
      serverClient: median(cpu.map((item) => item.serverClient)),
    },
    otherCpuShare: round(result.otherCpuShare, 3),
  };
}

function concurrencyFigures(result: ConcurrencyResult) {
  const failures = concurrencyFailures(result);
  const failed = Object.values(failures.counts).reduce((sum, count) => sum + count, 0);
  const streams = CONCURRENCY.streams;
  const perStream = (field: keyof ServerSample) =>
    round((result.peak[field] - result.before[field]) / streams / 1024, 1);
  const mebibytes = (bytes: number) => round(bytes / 2 ** 20);
  const firstContent = result.readings
    .map((reading) => (reading instanceof Error ? null : reading.firstContentMs))
    .filter((value): value is number => value !== null)
    .sort((a, b) => a - b);
  const rssPerStream = (result.peak.rss - result.before.rss) / streams;
  const allOpen = result.openAtPeak === streams;
  const inMebibytes = (sample: ServerSample) => ({
    rss: mebibytes(sample.rss),
    heapTotal: mebibytes(sample.heapTotal),
    heapUsed: mebibytes(sample.heapUsed),
    external: mebibytes(sample.external),
  });
  return {
    streams,
    users: CONCURRENCY.users,
    chunksPerStream: CONCURRENCY.pieces,
    chunkDelayMs: CONCURRENCY.chunkDelayMs,
    completed: streams - failed,
    failures: failures.counts,
    failureMessages: failures.messages,
    completedMet: failed === 0,
    openAtPeak: result.openAtPeak,
    fakeOpenAtPeak: result.fakeOpenAtPeak,
    secondsToAllOpen: round(result.secondsToAllOpen, 2),
    // CPU seconds used until every stream was open, out of secondsToAllOpen per core.
    cpuSecondsToAllOpen: {
      server: round(result.peakWithGarbage.cpuSeconds - result.before.cpuSeconds, 2),
      bench: round(result.benchCpuSecondsToAllOpen, 2),
    },
    firstContentMs: {
      p50: round(percentile(firstContent, 50)),
      p99: round(percentile(firstContent, 99)),
      max: round(firstContent.at(-1) ?? Number.NaN),
    },
    memoryMib: {
      before: inMebibytes(result.before),
      peakBeforeGc: inMebibytes(result.peakWithGarbage),
      peak: inMebibytes(result.peak),
      afterAllEnded: inMebibytes(result.after),
      maxRss: mebibytes(result.after.maxRss),
    },
    perStreamKib: {
      rss: perStream('rss'),
      heapUsed: perStream('heapUsed'),
      external: perStream('external'),
      rssBeforeGc: round((result.peakWithGarbage.rss - result.before.rss) / streams / 1024, 1),
    },
    perStreamTargetKib: TARGETS.bytesPerStream / 1024,
    // Judged on RSS after a full GC, and only when every stream was open at the sample.
    memoryMet: allOpen && rssPerStream < TARGETS.bytesPerStream,
    otherCpuShare: round(result.otherCpuShare, 3),
  };
}

type Report = ReturnType<typeof buildReport>;

function summarize(report: Report): string {
  const { ttft, throughput, concurrency } = report;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const quietLimit = percent(QUIET_OTHER_CPU_SHARE);
  const memory = concurrency.memoryMib;
  const roundRatios = throughput.rounds.map((item) => item.ratio).join(', ');
  return [
    `machine: ${report.machine.cpus} cores, ${report.machine.cpuModel}, node ${report.machine.node}`,
    `time to first token, ${ttft.pairs} sequential pairs: server p50 ${ttft.serverMs.p50} ms, ` +
      `p99 ${ttft.serverMs.p99} ms; direct p50 ${ttft.directMs.p50} ms, p99 ${ttft.directMs.p99} ms`,
    `server split at the start event: p50 ${ttft.serverStartEventMs.p50} ms to start, ` +
      `p50 ${ttft.serverStartToFirstContentMs.p50} ms from start to first content; server CPU ` +
      `p50 ${ttft.serverCpuMsPerMessage.p50} ms per message`,
    `added p50 ${ttft.addedP50Ms} ms (target < ${ttft.addedP50TargetMs} ms: ` +
      `${verdict(ttft.addedP50Met)}), added p99 ${ttft.addedP99Ms} ms ` +
      `(target < ${ttft.addedP99TargetMs} ms: ${verdict(ttft.addedP99Met)})`,
    `throughput, ${throughput.chunks} chunks, ${throughput.contentChars} characters: server ` +
      `${throughput.serverCharsPerSecond} chars/s, direct ${throughput.directCharsPerSecond} ` +
      `chars/s, ratio ${throughput.ratio} (rounds ${roundRatios}; ` +
      `target >= ${throughput.ratioTarget}: ${verdict(throughput.ratioMet)})`,
    `CPU per chunk: server ${throughput.cpuMicrosecondsPerChunk.server} µs and its client ` +
      `${throughput.cpuMicrosecondsPerChunk.serverClient} µs; SDK reading directly ` +
      `${throughput.cpuMicrosecondsPerChunk.direct} µs (both client figures include the upstream)`,
    `concurrency, ${concurrency.streams} streams of ${concurrency.users} users: ` +
      `${concurrency.completed} completed (${verdict(concurrency.completedMet)}), ` +
      `${concurrency.openAtPeak} open at the peak sample, all open after ` +
      `${concurrency.secondsToAllOpen} s (CPU meanwhile: server ` +
      `${concurrency.cpuSecondsToAllOpen.server} s, bench ${concurrency.cpuSecondsToAllOpen.bench} s), ` +
      `first content p50 ${concurrency.firstContentMs.p50} ms, p99 ${concurrency.firstContentMs.p99} ms`,
    `server memory after a full GC: before ${memory.before.rss} MiB RSS ` +
      `(${memory.before.heapUsed} MiB heap used), peak ${memory.peak.rss} MiB RSS ` +
      `(${memory.peak.heapUsed} MiB heap used), after all ended ${memory.afterAllEnded.rss} MiB ` +
      `RSS (${memory.afterAllEnded.heapUsed} MiB heap used)`,
    `growth per stream: ${concurrency.perStreamKib.rss} KiB RSS, ` +
      `${concurrency.perStreamKib.heapUsed} KiB heap used, ${concurrency.perStreamKib.external} ` +
      `KiB external (target < ${concurrency.perStreamTargetKib} KiB RSS with every stream open: ` +
      `${verdict(concurrency.memoryMet)})`,
    report.quiet
      ? `quiet run: other processes stayed under ${quietLimit} of the CPU in every phase`
      : `NOT quiet: other processes took up to ${percent(report.busiestOtherCpuShare)} of the ` +
        `CPU in a phase (over ${quietLimit}); the figures are less certain`,
    `whole run ${report.totalSeconds} s`,
  ].join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** CPU seconds this process used since it started, its threads included. */
function processCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

function progress(step: string): void {
  process.stderr.write(`stream bench: ${step}\n`);
}
