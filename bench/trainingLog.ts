// Training-log benchmark. It measures how fast the server parses and stores a recorded
// trainer_log.jsonl, beside a split-and-JSON.parse baseline. It also measures the delay from a
// record written on a GPU host to its event at a subscriber, over OpenSSH on loopback.
import type { TrainingTask } from '../server/src/models/index.js';
import { startTestSshd, type TestSshd } from '../server/src/testing/sshd.js';
import { TrainingEventHub } from '../server/src/training/events.js';
import { CpuMeter } from './cpu.js';
import { generateTrainerLog, RECORDED_RUN, type TrainerLogFixture } from './trainerLogFixture.js';
import {
  createIngestTask,
  parseAndStore,
  parseOnly,
  removeIngestTask,
  splitAndParse,
  storedCounts,
  type IngestCount,
} from './trainingLogIngest.js';
import {
  measureLatency,
  measureSshRoundTrips,
  startBenchServer,
  type BenchServer,
} from './trainingLogLatency.js';
import {
  buildReport,
  summarize,
  type LatencyMeasurement,
  type Measurements,
  type ParseMeasurement,
  type StoreMeasurement,
} from './trainingLogReport.js';

const PARSE_WARMUP_ROUNDS = 3;
const PARSE_MEASURED_ROUNDS = 10;
/** Lines of the log stored once before measuring, so the store path is compiled and cached. */
const STORE_WARMUP_LINES = 10_000;
/** Full-log store rounds: at most this many, and no new one once this much time has passed. */
const STORE_MAX_ROUNDS = 3;
const STORE_TIME_BUDGET_SECONDS = 30;
/** LLaMA-Factory with `logging_steps: 1` on a small model logs about this often. */
const LINES_PER_SECOND = 10;
const DEFAULT_PHASE_SECONDS = 20;
/** A shorter poll interval, to show the delay that is left once polling waits less. */
const SHORT_POLL_INTERVAL_MS = 250;
const SHORT_POLL_PHASE_SECONDS = 10;

/** Runs the ingest and latency measurements and prints a summary, then one JSON line. */
export async function run(): Promise<void> {
  progress(`generating a ${RECORDED_RUN.totalSteps}-step trainer log`);
  const fixture = generateTrainerLog();
  progress('starting sshd on 127.0.0.1 with scripts/with-sshd.sh');
  const sshd = await startTestSshd();
  let measured: Measurements;
  try {
    measured = await measureAll(fixture, sshd);
  } finally {
    await sshd.close();
  }
  const report = buildReport(fixture, measured);
  process.stdout.write(`${summarize(report)}\n${JSON.stringify(report)}\n`);
}

async function measureAll(fixture: TrainerLogFixture, sshd: TestSshd): Promise<Measurements> {
  progress('starting the server with the default settings');
  const server = await startBenchServer();
  let parse: ParseMeasurement;
  let store: StoreMeasurement;
  let defaultPoll: LatencyMeasurement;
  try {
    parse = await measureParsing(fixture);
    store = await measureStoring(fixture, server);
    progress(
      `latency: ${LINES_PER_SECOND} lines/s for ${DEFAULT_PHASE_SECONDS} s, poll interval ` +
        `${server.pollIntervalMs} ms (default)`,
    );
    defaultPoll = await measureLatencyPhase(server, sshd, 'default', DEFAULT_PHASE_SECONDS);
  } finally {
    await server.close();
  }

  progress(`starting a server with TRAINING_POLL_INTERVAL_MS=${SHORT_POLL_INTERVAL_MS}`);
  const shortPollServer = await startBenchServer(SHORT_POLL_INTERVAL_MS);
  let shortPoll: LatencyMeasurement;
  try {
    progress(`latency: ${LINES_PER_SECOND} lines/s for ${SHORT_POLL_PHASE_SECONDS} s`);
    shortPoll = await measureLatencyPhase(
      shortPollServer,
      sshd,
      'short-poll',
      SHORT_POLL_PHASE_SECONDS,
    );
  } finally {
    await shortPollServer.close();
  }
  progress('timing the SSH operations of one watcher tick');
  const ssh = await measureSshRoundTrips(sshd);
  return { parse, store, defaultPoll, shortPoll, ssh };
}

/**
 * Checks that the baseline and the parse-only pipeline read every line of the fixture, then runs
 * both in rounds, alternating which one goes first.
 */
async function measureParsing(fixture: TrainerLogFixture): Promise<ParseMeasurement> {
  const pipelines = [
    { name: 'baseline', run: splitAndParse },
    { name: 'parse', run: parseOnly },
  ] as const;
  for (const pipeline of pipelines) {
    checkLines(pipeline.name, await pipeline.run(fixture.bytes), fixture.lines);
  }
  progress(`parsing: ${PARSE_WARMUP_ROUNDS} warm-up and ${PARSE_MEASURED_ROUNDS} measured rounds`);
  for (let round = 0; round < PARSE_WARMUP_ROUNDS; round += 1) {
    for (const pipeline of pipelines) {
      await pipeline.run(fixture.bytes);
    }
  }
  const seconds = { baseline: [] as number[], parse: [] as number[] };
  const meter = new CpuMeter();
  for (let round = 0; round < PARSE_MEASURED_ROUNDS; round += 1) {
    for (let index = 0; index < pipelines.length; index += 1) {
      const pipeline = pipelines[(round + index) % pipelines.length] ?? pipelines[0];
      const started = performance.now();
      await pipeline.run(fixture.bytes);
      seconds[pipeline.name].push((performance.now() - started) / 1000);
    }
  }
  return {
    warmupRounds: PARSE_WARMUP_ROUNDS,
    ...seconds,
    otherCpuShare: meter.otherProcessesShare(),
  };
}

/**
 * Stores the log through the server's path into fresh pending tasks of the server's database:
 * first a warm-up part, then full-log rounds (see STORE_MAX_ROUNDS). Each round's rows are
 * checked against the fixture, then deleted outside the timing.
 */
async function measureStoring(
  fixture: TrainerLogFixture,
  server: BenchServer,
): Promise<StoreMeasurement> {
  const { sequelize } = server.running.services;
  const hub = new TrainingEventHub();
  const warmupEnd = nthLineEnd(fixture.bytes, STORE_WARMUP_LINES);
  progress(`storing: ${STORE_WARMUP_LINES} warm-up lines`);
  const warmupTask = await createIngestTask(server.adminId, 'training-log bench warm-up');
  await parseAndStore(fixture.bytes.subarray(0, warmupEnd), { sequelize, task: warmupTask, hub });
  await removeIngestTask(warmupTask);

  const rounds: number[] = [];
  const batchRates: number[] = [];
  let batches = 0;
  let events = 0;
  let spent = 0;
  const meter = new CpuMeter();
  while (rounds.length < STORE_MAX_ROUNDS && spent < STORE_TIME_BUDGET_SECONDS) {
    progress(`storing: round ${rounds.length + 1}, ${fixture.lines} lines in one pass`);
    const task = await createIngestTask(server.adminId, 'training-log bench store');
    events = 0;
    const unsubscribe = hub.subscribe(task.id, (event) => {
      events += event.type === 'metric' ? 1 : 0;
    });
    const started = performance.now();
    const count = await parseAndStore(fixture.bytes, { sequelize, task, hub }, (lines, seconds) =>
      batchRates.push(lines / seconds),
    );
    const seconds = (performance.now() - started) / 1000;
    unsubscribe();
    checkLines('store', count, fixture.lines);
    await checkStored(task, fixture);
    await removeIngestTask(task);
    rounds.push(seconds);
    batches = count.batches;
    spent += seconds;
  }
  return {
    warmupLines: STORE_WARMUP_LINES,
    rounds,
    batchRates,
    batches,
    events,
    otherCpuShare: meter.otherProcessesShare(),
  };
}

async function measureLatencyPhase(
  server: BenchServer,
  sshd: TestSshd,
  label: string,
  seconds: number,
): Promise<LatencyMeasurement> {
  const meter = new CpuMeter();
  const samples = await measureLatency(server, sshd, {
    label,
    linesPerSecond: LINES_PER_SECOND,
    seconds,
  });
  if (samples.storedRows !== samples.written) {
    throw new Error(
      `The server stored ${samples.storedRows} metric rows for ${samples.written} written records.`,
    );
  }
  return {
    ...samples,
    pollIntervalMs: server.pollIntervalMs,
    linesPerSecond: LINES_PER_SECOND,
    otherCpuShare: meter.otherProcessesShare(),
  };
}

function checkLines(pipeline: string, count: IngestCount, expected: number): void {
  if (count.lines !== expected) {
    throw new Error(`The ${pipeline} pipeline read ${count.lines} lines; the log has ${expected}.`);
  }
}

async function checkStored(task: TrainingTask, fixture: TrainerLogFixture): Promise<void> {
  const stored = await storedCounts(task);
  const expected = {
    rows: fixture.trainingLines,
    withEvalLoss: fixture.evalLines,
    step: fixture.totalSteps,
    metricsOffset: fixture.bytes.length,
  };
  if (JSON.stringify(stored) !== JSON.stringify(expected)) {
    throw new Error(
      `After storing the log, the database contains ${JSON.stringify(stored)} instead of ` +
        `the expected ${JSON.stringify(expected)}.`,
    );
  }
}

/** Returns the offset just past the `count`-th newline. */
function nthLineEnd(bytes: Buffer, count: number): number {
  let offset = 0;
  for (let line = 0; line < count; line += 1) {
    offset = bytes.indexOf(0x0a, offset) + 1;
    if (offset === 0) {
      throw new Error(`The log has fewer than ${count} lines.`);
    }
  }
  return offset;
}

function progress(step: string): void {
  process.stderr.write(`training-log bench: ${step}\n`);
}
