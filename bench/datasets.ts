// Dataset validation benchmark: the streaming validator's throughput against plain line splitting
// plus JSON.parse of each line, and each side's peak RSS, on 1 GB of generated JSONL in one run.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { seededRandom } from '../shared/src/testing/chunking.js';
import { CpuMeter } from './cpu.js';
import type { DatasetJob, DatasetReply, DatasetResult, DatasetSide } from './datasetsWorker.js';

/** Bytes generated in all: half Alpaca records, half ShareGPT records, in two files. */
const DEFAULT_TOTAL_BYTES = 1_000_000_000;
/** Each side reads the files this many times, the two sides taking turns to go first. */
const ROUNDS = 2;
const TARGETS = { throughputRatio: 0.5, validatorPeakRssMb: 150 };
/** Above this share of the CPU taken by other processes in any pass, the run is not quiet. */
const QUIET_OTHER_CPU_SHARE = 0.05;
/** Every this many records, one repeats an earlier record exactly, for the duplicate check. */
const DUPLICATE_EVERY = 1000;
const SEED = 20_261_204;
const WORKER = path.join(__dirname, 'datasetsWorker.ts');

type Schema = 'alpaca' | 'sharegpt';

interface GeneratedFile {
  schema: Schema;
  path: string;
  bytes: number;
  records: number;
}

interface Pass extends DatasetResult {
  otherCpuShare: number;
}

interface Round {
  baseline: Pass;
  validator: Pass;
}

/**
 * Generates the files in a temporary folder, measures both sides ROUNDS times, prints a summary
 * and then one JSON line with every figure, and deletes the folder. `npm run bench -- datasets MB`
 * generates MB megabytes instead of 1,000.
 */
export async function run(): Promise<void> {
  const totalBytes = totalBytesFromArguments();
  const started = performance.now();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-datasets-bench-'));
  try {
    const files: GeneratedFile[] = [];
    for (const schema of ['alpaca', 'sharegpt'] as const) {
      progress(`generating ${formatMb(totalBytes / 2)} MB of ${schema} records`);
      files.push(await generateFile(path.join(folder, `${schema}.jsonl`), schema, totalBytes / 2));
    }
    const paths = files.map((file) => file.path);
    const worker = await bundleWorker(folder);
    const rounds: Round[] = [];
    for (let index = 0; index < ROUNDS; index += 1) {
      const order: DatasetSide[] =
        index % 2 === 0 ? ['baseline', 'validator'] : ['validator', 'baseline'];
      const passes: Partial<Record<DatasetSide, Pass>> = {};
      for (const side of order) {
        progress(`round ${index + 1}: ${side}`);
        passes[side] = await measurePass(worker, { side, files: paths });
      }
      rounds.push({ baseline: passes.baseline as Pass, validator: passes.validator as Pass });
    }
    const report = buildReport(files, rounds, (performance.now() - started) / 1000);
    checkRecordCounts(files, rounds);
    process.stdout.write(`${summarize(report)}\n${JSON.stringify(report)}\n`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function totalBytesFromArguments(): number {
  const argument = process.argv[3];
  if (argument === undefined) {
    return DEFAULT_TOTAL_BYTES;
  }
  const megabytes = Number(argument);
  if (!Number.isFinite(megabytes) || megabytes < 1) {
    throw new Error(`Invalid size ${JSON.stringify(argument)}: expected megabytes, such as 200.`);
  }
  return megabytes * 1_000_000;
}

/** Writes JSONL records of one schema until the file reaches `targetBytes`. */
async function generateFile(
  file: string,
  schema: Schema,
  targetBytes: number,
): Promise<GeneratedFile> {
  const random = seededRandom(schema === 'alpaca' ? SEED : SEED + 1);
  const templates = Array.from({ length: 4096 }, () =>
    schema === 'alpaca' ? alpacaTemplate(random) : shareGptTemplate(random),
  );
  const stream = fs.createWriteStream(file);
  const recent: string[] = [];
  let bytes = 0;
  let records = 0;
  let batch: string[] = [];
  while (bytes < targetBytes) {
    records += 1;
    let line: string;
    if (records % DUPLICATE_EVERY === 0) {
      line = recent[Math.floor(random() * recent.length)] ?? '';
    } else {
      line = templates[Math.floor(random() * templates.length)]?.(records) ?? '';
      recent[records % 64] = line;
    }
    batch.push(line);
    bytes += Buffer.byteLength(line) + 1;
    if (batch.length === 1000) {
      await writeBatch(stream, batch);
      batch = [];
    }
  }
  await writeBatch(stream, batch);
  await new Promise<void>((resolve, reject) =>
    stream.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return { schema, path: file, bytes, records };
}

function writeBatch(stream: fs.WriteStream, lines: string[]): Promise<void> {
  if (lines.length === 0) {
    return Promise.resolve();
  }
  const flushed = stream.write(`${lines.join('\n')}\n`);
  return flushed ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve));
}

/** Words the generated text is made of; a few are not ASCII, as in real multilingual data. */
const WORDS = (
  'the a of to and in is that for it with as on was be by this are from at or an which have ' +
  'model data train token answer question explain list step first then result value example ' +
  'because however therefore function return string number café naïve 思考 数据 😀 résumé'
).split(' ');

function sentence(random: () => number, minWords: number, maxWords: number): string {
  const count = minWords + Math.floor(random() * (maxWords - minWords + 1));
  const words: string[] = [];
  for (let index = 0; index < count; index += 1) {
    words.push(WORDS[Math.floor(random() * WORDS.length)] ?? 'word');
  }
  return words.join(' ');
}

/** Returns a function that writes one Alpaca record whose instruction starts with its number. */
function alpacaTemplate(random: () => number): (serial: number) => string {
  const instruction = sentence(random, 5, 25);
  const input = random() < 0.4 ? sentence(random, 5, 60) : '';
  const output = `${sentence(random, 20, 300)}\n\n${sentence(random, 5, 60)}`;
  const rest = JSON.stringify({ input, output }).slice(1);
  return (serial) => `{"instruction":${JSON.stringify(`#${serial} ${instruction}`)},${rest}`;
}

/** Returns a function that writes one ShareGPT record whose first turn starts with its number. */
function shareGptTemplate(random: () => number): (serial: number) => string {
  const turns: { from: string; value: string }[] = [];
  if (random() < 0.3) {
    turns.push({ from: 'system', value: sentence(random, 5, 30) });
  }
  const pairs = 1 + Math.floor(random() * 3);
  for (let index = 0; index < pairs; index += 1) {
    turns.push({ from: 'human', value: sentence(random, 5, 60) });
    turns.push({ from: 'gpt', value: sentence(random, 20, 200) });
  }
  const [first, ...others] = turns;
  const tail = JSON.stringify(others).slice(1);
  const head = JSON.stringify(first).slice(0, -1);
  const separator = others.length > 0 ? ',' : '';
  return (serial) => {
    const numbered = head.replace('"value":"', `"value":"#${serial} `);
    return `{"conversations":[${numbered}}${separator}${tail}}`;
  };
}

/**
 * Bundles the worker and the validator into one plain JavaScript file, as the server runs built
 * code. Under tsx each child would also carry its loader thread, about 38 MB of RSS on Node 20.
 */
async function bundleWorker(folder: string): Promise<string> {
  const outfile = path.join(folder, 'datasetsWorker.cjs');
  await esbuild.build({
    entryPoints: [WORKER],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return outfile;
}

/** Runs one side in a child process and measures other processes' CPU share meanwhile. */
async function measurePass(worker: string, job: DatasetJob): Promise<Pass> {
  const meter = new CpuMeter();
  const result = await runWorker(worker, job);
  return { ...result, otherCpuShare: meter.otherProcessesShare(result.cpuSeconds) };
}

function runWorker(worker: string, job: DatasetJob): Promise<DatasetResult> {
  return new Promise((resolve, reject) => {
    const child = fork(worker, [], { execArgv: [], stdio: ['ignore', 2, 2, 'ipc'] });
    let reply: DatasetReply | undefined;
    child.once('message', (message: DatasetReply) => {
      reply = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply === undefined) {
        reject(
          new Error(
            `The ${job.side} worker exited with ${signal ?? `code ${code}`} before replying.`,
          ),
        );
      } else if (!reply.ok) {
        reject(new Error(`The ${job.side} worker failed: ${reply.message}`));
      } else {
        resolve(reply.result);
      }
    });
    child.send(job);
  });
}

function checkRecordCounts(files: GeneratedFile[], rounds: Round[]): void {
  const records = files.reduce((sum, file) => sum + file.records, 0);
  for (const round of rounds) {
    for (const pass of [round.baseline, round.validator]) {
      if (pass.records !== records || pass.invalidRecords !== 0) {
        throw new Error(
          `A pass read ${pass.records} records (${pass.invalidRecords} invalid) where ${records} ` +
            'valid ones were generated.',
        );
      }
    }
  }
}

function megabytesPerSecond(pass: Pass): number {
  return pass.bytes / 1e6 / pass.seconds;
}

function buildReport(files: GeneratedFile[], rounds: Round[], totalSeconds: number) {
  const ratios = rounds.map(
    (round) => megabytesPerSecond(round.validator) / megabytesPerSecond(round.baseline),
  );
  const ratio = median(ratios);
  // CPU time suffers less than wall time when other processes compete for the cores.
  const cpuRatios = rounds.map((item) => item.baseline.cpuSeconds / item.validator.cpuSeconds);
  const validatorPeakRssMb = Math.max(...rounds.map((round) => round.validator.maxRssBytes / 1e6));
  const passes = rounds.flatMap((round) => [round.baseline, round.validator]);
  const busiestOtherCpuShare = Math.max(...passes.map((pass) => pass.otherCpuShare));
  const describePass = (pass: Pass) => ({
    seconds: round(pass.seconds, 2),
    megabytesPerSecond: round(megabytesPerSecond(pass)),
    peakRssMb: round(pass.maxRssBytes / 1e6),
    cpuSeconds: round(pass.cpuSeconds, 2),
    otherCpuShare: round(pass.otherCpuShare, 3),
  });
  return {
    bench: 'datasets',
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
    },
    files: files.map((file) => ({ schema: file.schema, bytes: file.bytes, records: file.records })),
    readChunkBytes: 64 * 1024,
    rounds: rounds.map((item, index) => ({
      baseline: describePass(item.baseline),
      validator: describePass(item.validator),
      ratio: round(ratios[index] ?? Number.NaN, 3),
    })),
    ratio: round(ratio, 3),
    ratioSpread: { min: round(Math.min(...ratios), 3), max: round(Math.max(...ratios), 3) },
    ratioTarget: TARGETS.throughputRatio,
    ratioMet: ratio >= TARGETS.throughputRatio,
    cpuRatio: round(median(cpuRatios), 3),
    cpuRatioSpread: {
      min: round(Math.min(...cpuRatios), 3),
      max: round(Math.max(...cpuRatios), 3),
    },
    validatorPeakRssMb: round(validatorPeakRssMb),
    baselinePeakRssMb: round(Math.max(...rounds.map((item) => item.baseline.maxRssBytes / 1e6))),
    peakRssTargetMb: TARGETS.validatorPeakRssMb,
    peakRssMet: validatorPeakRssMb < TARGETS.validatorPeakRssMb,
    busiestOtherCpuShare: round(busiestOtherCpuShare, 3),
    quiet: busiestOtherCpuShare < QUIET_OTHER_CPU_SHARE,
    totalSeconds: round(totalSeconds),
  };
}

type Report = ReturnType<typeof buildReport>;

function summarize(report: Report): string {
  const machine = report.machine;
  const busiest = percent(report.busiestOtherCpuShare);
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const records = report.files.reduce((sum, file) => sum + file.records, 0);
  const bytes = report.files.reduce((sum, file) => sum + file.bytes, 0);
  const lines = [
    `machine: ${machine.cpus} cores, ${machine.cpuModel}, node ${machine.node}`,
    `input: ${formatMb(bytes)} MB of JSONL, ${records} records (Alpaca and ShareGPT files), ` +
      `read in ${report.readChunkBytes / 1024} KiB chunks`,
  ];
  report.rounds.forEach((item, index) => {
    lines.push(
      `round ${index + 1}: baseline ${item.baseline.megabytesPerSecond} MB/s ` +
        `(${item.baseline.peakRssMb} MB RSS), ` +
        `validator ${item.validator.megabytesPerSecond} MB/s ` +
        `(${item.validator.peakRssMb} MB RSS), ratio ${item.ratio}`,
    );
  });
  lines.push(
    `throughput ratio ${report.ratio} (median of rounds, spread ${report.ratioSpread.min} to ` +
      `${report.ratioSpread.max}; target >= ${report.ratioTarget}: ${verdict(report.ratioMet)})`,
    `CPU-time ratio ${report.cpuRatio} (baseline CPU seconds over validator CPU seconds, spread ` +
      `${report.cpuRatioSpread.min} to ${report.cpuRatioSpread.max})`,
    `validator peak RSS ${report.validatorPeakRssMb} MB (target < ${report.peakRssTargetMb} MB: ` +
      `${verdict(report.peakRssMet)}); baseline ${report.baselinePeakRssMb} MB`,
    report.quiet
      ? `quiet run: other processes stayed under ${percent(QUIET_OTHER_CPU_SHARE)} of the CPU`
      : `NOT quiet: other processes took up to ${busiest} of the CPU ` +
          'in a pass; the ratio is less certain',
    `whole run ${report.totalSeconds} s`,
  );
  return lines.join('\n');
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) {
    return sorted[middle] ?? Number.NaN;
  }
  return ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function formatMb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function progress(step: string): void {
  process.stderr.write(`datasets bench: ${step}\n`);
}
