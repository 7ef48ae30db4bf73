// The report of the training-log benchmark: the figures measured by trainingLog.ts, the targets
// they are checked against, and a summary for people.
import os from 'node:os';
import type { TrainerLogFixture } from './trainerLogFixture.js';
import { READ_CHUNK_BYTES } from './trainingLogIngest.js';
import type { LatencySamples, SshRoundTrips } from './trainingLogLatency.js';

const TARGETS = { storeLinesPerSecond: 20_000, defaultP50Ms: 500 };
/** Above this share of the CPU taken by other processes while ingesting, the run is not quiet. */
export const QUIET_OTHER_CPU_SHARE = 0.05;
/** NOTE: a copy of LIVENESS_EVERY_TICKS in server/src/training/watcher.ts, not exported there. */
const LIVENESS_EVERY_TICKS = 5;

export interface ParseMeasurement {
  warmupRounds: number;
  /** Seconds of each measured round, by pipeline. */
  baseline: number[];
  parse: number[];
  otherCpuShare: number;
}

export interface StoreMeasurement {
  /** Lines stored once before the measured rounds. */
  warmupLines: number;
  /** Seconds of each full-log round. */
  rounds: number[];
  /** Lines per second of each batch of every round, from one batch's end to the next one's. */
  batchRates: number[];
  batches: number;
  /** Metric events the hub delivered to one subscriber in the last round. */
  events: number;
  otherCpuShare: number;
}

export interface LatencyMeasurement extends LatencySamples {
  pollIntervalMs: number;
  linesPerSecond: number;
  /** Includes sshd, its SFTP sessions and the stand-in, which run as other processes. */
  otherCpuShare: number;
}

export interface Measurements {
  parse: ParseMeasurement;
  store: StoreMeasurement;
  defaultPoll: LatencyMeasurement;
  shortPoll: LatencyMeasurement;
  ssh: SshRoundTrips;
}

/** Builds the JSON report: every figure, the settings behind it, and whether targets were met. */
export function buildReport(fixture: TrainerLogFixture, measured: Measurements) {
  const { parse, store, defaultPoll, shortPoll, ssh } = measured;
  const linesPerSecond = (seconds: number[]) => spread(seconds.map((s) => fixture.lines / s));
  const storeRate = linesPerSecond(store.rounds);
  const parseRate = linesPerSecond(parse.parse);
  const defaultLatency = latencyReport(defaultPoll);
  const ingestCpuShare = Math.max(parse.otherCpuShare, store.otherCpuShare);
  return {
    bench: 'training-log',
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
    },
    log: {
      lines: fixture.lines,
      trainingLines: fixture.trainingLines,
      evalLines: fixture.evalLines,
      bytes: fixture.bytes.length,
      seed: fixture.seed,
      readChunkBytes: READ_CHUNK_BYTES,
    },
    ingest: {
      linesPerSecond: {
        baseline: linesPerSecond(parse.baseline),
        parse: parseRate,
        store: storeRate,
        storeBatches: spread(store.batchRates),
      },
      parseRatio: round(parseRate.median / linesPerSecond(parse.baseline).median, 3),
      rounds: {
        parseWarmup: parse.warmupRounds,
        parseMeasured: parse.baseline.length,
        storeWarmupLines: store.warmupLines,
        storeMeasured: store.rounds.length,
      },
      storeBatchesPerRound: store.batches,
      storeMetricEvents: store.events,
      otherCpuShare: { parse: round(parse.otherCpuShare, 3), store: round(store.otherCpuShare, 3) },
    },
    latency: {
      linesPerSecond: defaultPoll.linesPerSecond,
      defaultPoll: defaultLatency,
      shortPoll: latencyReport(shortPoll),
      sshOperationsMs: {
        readExitCode: percentiles(ssh.readExitCodeMs),
        readWindow: percentiles(ssh.readWindowMs),
        livenessCheck: percentiles(ssh.livenessCheckMs),
      },
    },
    targets: {
      storeLinesPerSecond: {
        value: storeRate.median,
        target: TARGETS.storeLinesPerSecond,
        met: storeRate.median >= TARGETS.storeLinesPerSecond,
      },
      defaultPollSseP50Ms: {
        value: defaultLatency.sse.p50,
        target: TARGETS.defaultP50Ms,
        met: defaultLatency.sse.p50 < TARGETS.defaultP50Ms,
      },
    },
    quiet: ingestCpuShare < QUIET_OTHER_CPU_SHARE,
  };
}

export type Report = ReturnType<typeof buildReport>;

function latencyReport(measurement: LatencyMeasurement) {
  return {
    pollIntervalMs: measurement.pollIntervalMs,
    records: measurement.written,
    batchIntervalMs: percentiles(measurement.batchIntervalsMs),
    hub: percentiles(measurement.hubDelaysMs),
    sse: percentiles(measurement.sseDelaysMs),
    p50BelowTarget: percentiles(measurement.sseDelaysMs).p50 < TARGETS.defaultP50Ms,
    otherCpuShare: round(measurement.otherCpuShare, 3),
  };
}

/** p50 and p99 by nearest rank, with the extremes, in milliseconds. */
function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (share: number) =>
    sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
  return {
    count: sorted.length,
    min: round(sorted[0] ?? Number.NaN),
    p50: round(rank(0.5)),
    p99: round(rank(0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Median, lowest and highest of a list of rates, rounded to whole units. */
function spread(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1
      ? (sorted[middle] ?? Number.NaN)
      : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return {
    median: Math.round(median),
    min: Math.round(sorted[0] ?? Number.NaN),
    max: Math.round(sorted.at(-1) ?? Number.NaN),
  };
}

/** Returns the report as lines for a person to read. */
export function summarize(report: Report): string {
  const { ingest, latency, targets } = report;
  const ssh = latency.sshOperationsMs;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const rate = (figures: { median: number; min: number; max: number }) =>
    `${figures.median.toLocaleString('en-US')} lines/s (range ` +
    `${figures.min.toLocaleString('en-US')} to ${figures.max.toLocaleString('en-US')})`;
  const delay = (phase: Report['latency']['defaultPoll']) =>
    `hub p50 ${phase.hub.p50} ms, p99 ${phase.hub.p99} ms; SSE p50 ${phase.sse.p50} ms, ` +
    `p99 ${phase.sse.p99} ms (${phase.sse.count} records; batches every ` +
    `${phase.batchIntervalMs.p50} ms, longest gap ${phase.batchIntervalMs.max} ms)`;
  const ingestShare = Math.max(ingest.otherCpuShare.parse, ingest.otherCpuShare.store);
  return [
    `machine: ${report.machine.cpus} cores, ${report.machine.cpuModel}, ` +
      `node ${report.machine.node}`,
    `log: ${report.log.lines.toLocaleString('en-US')} lines ` +
      `(${report.log.evalLines.toLocaleString('en-US')} with eval_loss), ` +
      `${(report.log.bytes / 1e6).toFixed(1)} MB, read in windows of ` +
      `${report.log.readChunkBytes / 1024} KiB`,
    `baseline (split on \\n, JSON.parse), median of ${ingest.rounds.parseMeasured}: ` +
      rate(ingest.linesPerSecond.baseline),
    `parse only (splitLines, parseTrainerLine): ${rate(ingest.linesPerSecond.parse)}, ` +
      `ratio to baseline ${ingest.parseRatio}`,
    `parse and store (storeBatch per window, hub events), ${ingest.rounds.storeMeasured} ` +
      `round(s): ${rate(ingest.linesPerSecond.store)}; target >= ` +
      `${targets.storeLinesPerSecond.target.toLocaleString('en-US')}: ` +
      verdict(targets.storeLinesPerSecond.met),
    `  per batch of about ${Math.round(report.log.lines / ingest.storeBatchesPerRound)} lines: ` +
      rate(ingest.linesPerSecond.storeBatches),
    `write to event, poll interval ${latency.defaultPoll.pollIntervalMs} ms (default): ` +
      `${delay(latency.defaultPoll)}; SSE p50 target < ${targets.defaultPollSseP50Ms.target} ms: ` +
      verdict(targets.defaultPollSseP50Ms.met),
    `write to event, poll interval ${latency.shortPoll.pollIntervalMs} ms: ` +
      delay(latency.shortPoll),
    `SSH operations of a watcher tick, median of ${ssh.livenessCheck.count}: read exit code ` +
      `${ssh.readExitCode.p50} ms, read a window ${ssh.readWindow.p50} ms, liveness check ` +
      `(ps through the login shell, every ${LIVENESS_EVERY_TICKS}th tick) ` +
      `${ssh.livenessCheck.p50} ms`,
    report.quiet
      ? `quiet run: other processes stayed under ${percent(QUIET_OTHER_CPU_SHARE)} of the CPU ` +
        'while ingesting'
      : `NOT quiet: other processes took ${percent(ingestShare)} of the CPU while ingesting; ` +
        'rerun on an idle machine before trusting the rates',
  ].join('\n');
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
