// Parsers benchmark: SseParser and ReasoningSplitter throughput on a ~10 MB stream of OpenAI-style
// chat-completion chunks, against a plain split-on-newline and JSON.parse baseline on the same
// chunks, measured in one run on this machine.
import os from 'node:os';
import { isDoneSentinel, SseParser, type SseEvent } from '../shared/src/sse/codec.js';
import { ReasoningSplitter, type TextPart } from '../shared/src/streaming/reasoningSplitter.js';
import { randomChunks } from '../shared/src/testing/chunking.js';
import { generateChatStream, type ChatStreamFixture } from './chatStreamFixture.js';
import { CpuMeter } from './cpu.js';

const STREAM_BYTES = 10_000_000;
const STREAM_SEED = 20_241_204;
/** Network reads of a streamed response, cut at arbitrary bytes. */
const CHUNK_BYTES = { min: 1024, max: 16 * 1024 };
/**
 * The content deltas are about 1% of the stream, so the splitter-alone pipeline goes over them
 * enough times to run about as long as the others and not be lost in timer noise.
 */
const SPLITTER_MIN_BYTES = 5_000_000;
const WARMUP_ROUNDS = 3;
const MEASURED_ROUNDS = 15;
const RATIO_TARGET = 0.5;
/** Above this share of the CPU taken by other processes, the run is not quiet. */
const QUIET_OTHER_CPU_SHARE = 0.05;

/** One way to consume the stream. */
interface Pipeline {
  name: PipelineName;
  /** Bytes one run consumes, for MB/s. */
  bytes: number;
  /** Returns a count that `expected` checks, so no pipeline can skip its work unnoticed. */
  run(): number;
  expected: number;
}

type PipelineName = 'baseline' | 'sse' | 'sseAndSplitter' | 'sseWithoutJson' | 'splitter';

/** The part of a chat-completion chunk the consumers read. */
interface ChatChunk {
  choices: { delta?: { content?: string | null; reasoning_content?: string | null } }[];
}

/** Runs every pipeline in rounds and prints a summary, then one JSON line with every figure. */
export function run(): Promise<void> {
  progress(`generating a ${STREAM_BYTES / 1e6} MB stream`);
  const fixture = generateChatStream(STREAM_BYTES, STREAM_SEED);
  const chunks = randomChunks(fixture.bytes, STREAM_SEED, CHUNK_BYTES);
  const { pipelines, splitterPasses } = buildPipelines(fixture, chunks);
  checkCounts(pipelines);

  progress(`${WARMUP_ROUNDS} warm-up and ${MEASURED_ROUNDS} measured rounds`);
  for (let round = 0; round < WARMUP_ROUNDS; round++) {
    for (const pipeline of pipelines) {
      pipeline.run();
    }
  }
  const meter = new CpuMeter();
  const seconds = measureRounds(pipelines);
  const otherCpuShare = meter.otherProcessesShare();

  const report = buildReport({
    fixture,
    chunkCount: chunks.length,
    splitterPasses,
    pipelines,
    seconds,
    otherCpuShare,
  });
  process.stdout.write(`${summarize(report)}\n${JSON.stringify(report)}\n`);
  return Promise.resolve();
}

function buildPipelines(fixture: ChatStreamFixture, chunks: Uint8Array[]) {
  const contentDeltas = collectContentDeltas(chunks);
  const contentBytes = utf8Length(contentDeltas);
  const splitterPasses = Math.ceil(SPLITTER_MIN_BYTES / contentBytes);
  const streamBytes = fixture.bytes.length;
  // Every data event but the `[DONE]` that ends each completion is JSON.
  const jsonEvents = fixture.dataEvents - fixture.completions;
  const pipelines: Pipeline[] = [
    {
      name: 'baseline',
      bytes: streamBytes,
      run: () => splitAndParse(chunks),
      expected: jsonEvents,
    },
    { name: 'sse', bytes: streamBytes, run: () => decodeEvents(chunks), expected: jsonEvents },
    {
      name: 'sseAndSplitter',
      bytes: streamBytes,
      run: () => decodeAndSplit(chunks, fixture),
      expected: jsonEvents,
    },
    {
      name: 'sseWithoutJson',
      bytes: streamBytes,
      run: () => countEvents(chunks),
      expected: fixture.dataEvents,
    },
    {
      name: 'splitter',
      bytes: contentBytes * splitterPasses,
      run: () => splitContent(contentDeltas, splitterPasses),
      expected: fixture.contentLength * splitterPasses,
    },
  ];
  return { pipelines, splitterPasses };
}

/**
 * Runs each pipeline once per round, starting with a different one each round, so load from
 * other processes falls on all of them alike. Returns the seconds of each run by pipeline.
 */
function measureRounds(pipelines: Pipeline[]): Map<PipelineName, number[]> {
  const seconds = new Map<PipelineName, number[]>(pipelines.map((p) => [p.name, []]));
  for (let round = 0; round < MEASURED_ROUNDS; round++) {
    for (let index = 0; index < pipelines.length; index++) {
      const pipeline = pipelines[(round + index) % pipelines.length];
      if (pipeline === undefined) {
        continue;
      }
      const started = performance.now();
      pipeline.run();
      seconds.get(pipeline.name)?.push((performance.now() - started) / 1000);
    }
  }
  return seconds;
}

/** Runs the baseline: splits the decoded text on "\n" and JSON.parses every `data: ` payload. */
function splitAndParse(chunks: Uint8Array[]): number {
  const decoder = new TextDecoder();
  let rest = '';
  let parsed = 0;
  const parseLines = (text: string) => {
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('data: ') && line !== 'data: [DONE]') {
        JSON.parse(line.slice(6));
        parsed += 1;
      }
    }
  };
  for (const chunk of chunks) {
    parseLines(rest + decoder.decode(chunk, { stream: true }));
  }
  parseLines(`${rest + decoder.decode()}\n`);
  return parsed;
}

/** Decodes the bytes with SseParser and JSON.parses every event but `[DONE]`. */
function decodeEvents(chunks: Uint8Array[]): number {
  const parser = new SseParser();
  let parsed = 0;
  for (const chunk of chunks) {
    for (const event of parser.push(chunk)) {
      if (!isDoneSentinel(event)) {
        JSON.parse(event.data);
        parsed += 1;
      }
    }
  }
  for (const event of parser.end()) {
    if (!isDoneSentinel(event)) {
      JSON.parse(event.data);
      parsed += 1;
    }
  }
  return parsed;
}

/** Runs SseParser alone, to show how much of the `sse` pipeline's time JSON.parse takes. */
function countEvents(chunks: Uint8Array[]): number {
  const parser = new SseParser();
  let events = 0;
  for (const chunk of chunks) {
    events += parser.push(chunk).length;
  }
  return events + parser.end().length;
}

/**
 * Consumes the stream as a chat client does: SseParser, JSON.parse, `reasoning_content` taken as
 * reasoning, and content through a ReasoningSplitter that starts afresh after each `[DONE]`.
 * Returns the number of parsed events and throws unless the recovered text lengths match the
 * fixture.
 */
function decodeAndSplit(chunks: Uint8Array[], fixture: ChatStreamFixture): number {
  const parser = new SseParser();
  const lengths = { reasoning: 0, content: 0 };
  let splitter = new ReasoningSplitter();
  let parsed = 0;
  const addParts = (parts: TextPart[]) => {
    for (const part of parts) {
      lengths[part.kind] += part.text.length;
    }
  };
  const consume = (events: SseEvent[]) => {
    for (const event of events) {
      if (isDoneSentinel(event)) {
        addParts(splitter.end());
        splitter = new ReasoningSplitter();
        continue;
      }
      parsed += 1;
      const delta = (JSON.parse(event.data) as ChatChunk).choices[0]?.delta;
      if (typeof delta?.reasoning_content === 'string') {
        lengths.reasoning += delta.reasoning_content.length;
      }
      if (typeof delta?.content === 'string' && delta.content !== '') {
        addParts(splitter.push(delta.content));
      }
    }
  };
  for (const chunk of chunks) {
    consume(parser.push(chunk));
  }
  consume(parser.end());
  addParts(splitter.end());

  if (lengths.reasoning !== fixture.reasoningLength || lengths.content !== fixture.contentLength) {
    throw new Error(
      `SseParser and ReasoningSplitter recovered ${lengths.reasoning} reasoning and ` +
        `${lengths.content} content characters; the fixture has ${fixture.reasoningLength} and ` +
        `${fixture.contentLength}.`,
    );
  }
  return parsed;
}

/**
 * Runs the ReasoningSplitter alone on every completion's content deltas, `passes` times over.
 * Returns the length of the content text it split off, which must be the fixture's content length.
 */
function splitContent(completions: string[][], passes: number): number {
  let contentLength = 0;
  for (let pass = 0; pass < passes; pass++) {
    for (const deltas of completions) {
      const splitter = new ReasoningSplitter();
      for (const delta of deltas) {
        contentLength += lengthOf(splitter.push(delta), 'content');
      }
      contentLength += lengthOf(splitter.end(), 'content');
    }
  }
  return contentLength;
}

function lengthOf(parts: TextPart[], kind: TextPart['kind']): number {
  let length = 0;
  for (const part of parts) {
    if (part.kind === kind) {
      length += part.text.length;
    }
  }
  return length;
}

/** Returns each completion's content deltas, in order, parsed once before the measurement. */
function collectContentDeltas(chunks: Uint8Array[]): string[][] {
  const parser = new SseParser();
  const completions: string[][] = [[]];
  const events = [...chunks.flatMap((chunk) => parser.push(chunk)), ...parser.end()];
  for (const event of events) {
    if (isDoneSentinel(event)) {
      completions.push([]);
      continue;
    }
    const content = (JSON.parse(event.data) as ChatChunk).choices[0]?.delta?.content;
    if (typeof content === 'string' && content !== '') {
      completions[completions.length - 1]?.push(content);
    }
  }
  return completions.filter((deltas) => deltas.length > 0);
}

/** Runs each pipeline once and checks the count it returns. */
function checkCounts(pipelines: Pipeline[]): void {
  for (const pipeline of pipelines) {
    const checksum = pipeline.run();
    if (checksum !== pipeline.expected) {
      throw new Error(
        `The ${pipeline.name} pipeline returned ${checksum}; the fixture calls for ` +
          `${pipeline.expected}.`,
      );
    }
  }
}

function utf8Length(completions: string[][]): number {
  const encoder = new TextEncoder();
  let bytes = 0;
  for (const deltas of completions) {
    for (const delta of deltas) {
      bytes += encoder.encode(delta).length;
    }
  }
  return bytes;
}

interface Measurements {
  fixture: ChatStreamFixture;
  chunkCount: number;
  splitterPasses: number;
  pipelines: Pipeline[];
  seconds: Map<PipelineName, number[]>;
  otherCpuShare: number;
}

/** Median, fastest and slowest MB/s (10^6 bytes per second) over the measured rounds. */
function throughput(bytes: number, seconds: number[]) {
  const rates = seconds.map((value) => bytes / 1e6 / value).sort((a, b) => a - b);
  return {
    median: round(median(rates)),
    min: round(rates[0] ?? Number.NaN),
    max: round(rates[rates.length - 1] ?? Number.NaN),
  };
}

/** Median and range of the per-round ratio of two pipelines' MB/s, which ran in the same round. */
function ratioOf(seconds: Map<PipelineName, number[]>, name: PipelineName) {
  const baseline = seconds.get('baseline') ?? [];
  const ratios = (seconds.get(name) ?? [])
    .map((value, index) => (baseline[index] ?? Number.NaN) / value)
    .sort((a, b) => a - b);
  const value = median(ratios);
  return {
    median: round(value, 3),
    min: round(ratios[0] ?? Number.NaN, 3),
    max: round(ratios[ratios.length - 1] ?? Number.NaN, 3),
    target: RATIO_TARGET,
    met: value >= RATIO_TARGET,
  };
}

function buildReport(measurements: Measurements) {
  const { fixture, chunkCount, splitterPasses, pipelines, seconds, otherCpuShare } = measurements;
  const mbPerSecond = Object.fromEntries(
    pipelines.map((pipeline) => [
      pipeline.name,
      throughput(pipeline.bytes, seconds.get(pipeline.name) ?? []),
    ]),
  ) as Record<PipelineName, ReturnType<typeof throughput>>;
  const ratios = {
    sse: ratioOf(seconds, 'sse'),
    sseAndSplitter: ratioOf(seconds, 'sseAndSplitter'),
  };
  return {
    bench: 'parsers',
    machine: {
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
    },
    stream: {
      bytes: fixture.bytes.length,
      seed: STREAM_SEED,
      completions: fixture.completions,
      dataEvents: fixture.dataEvents,
      chunks: chunkCount,
      chunkBytes: CHUNK_BYTES,
      splitterInputBytes: pipelines.find((pipeline) => pipeline.name === 'splitter')?.bytes ?? 0,
      splitterPasses,
    },
    rounds: { warmup: WARMUP_ROUNDS, measured: MEASURED_ROUNDS },
    mbPerSecond,
    ratios,
    allMet: ratios.sse.met && ratios.sseAndSplitter.met,
    otherCpuShare: round(otherCpuShare, 3),
    quiet: otherCpuShare < QUIET_OTHER_CPU_SHARE,
  };
}

type Report = ReturnType<typeof buildReport>;

function summarize(report: Report): string {
  const { mbPerSecond: rates, ratios, stream } = report;
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const rate = (figures: { median: number; min: number; max: number }) =>
    `${figures.median} MB/s (range ${figures.min} to ${figures.max})`;
  const ratio = (figures: Report['ratios']['sse']) =>
    `ratio ${figures.median} (range ${figures.min} to ${figures.max}; ` +
    `target >= ${figures.target}: ${verdict(figures.met)})`;
  const quietLimit = percent(QUIET_OTHER_CPU_SHARE);
  return [
    `machine: ${report.machine.cpus} cores, ${report.machine.cpuModel}, node ${report.machine.node}`,
    `stream: ${(stream.bytes / 1e6).toFixed(1)} MB, ${stream.completions} completions, ` +
      `${stream.dataEvents} data events, ${stream.chunks} chunks of ` +
      `${stream.chunkBytes.min}-${stream.chunkBytes.max} bytes; medians of ` +
      `${report.rounds.measured} rounds`,
    `baseline (split on \\n, JSON.parse): ${rate(rates.baseline)}`,
    `SseParser + JSON.parse: ${rate(rates.sse)}, ${ratio(ratios.sse)}`,
    `SseParser + JSON.parse + ReasoningSplitter: ${rate(rates.sseAndSplitter)}, ` +
      ratio(ratios.sseAndSplitter),
    `SseParser alone, no JSON.parse: ${rate(rates.sseWithoutJson)}`,
    `ReasoningSplitter alone on the content deltas (${stream.splitterPasses} passes, ` +
      `${(stream.splitterInputBytes / 1e6).toFixed(1)} MB): ${rate(rates.splitter)}`,
    report.quiet
      ? `quiet run: other processes stayed under ${quietLimit} of the CPU`
      : `NOT quiet: other processes took ${percent(report.otherCpuShare)} of the CPU; ` +
        'rerun on an idle machine before trusting the figures',
  ].join('\n');
}

function median(sorted: number[]): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function progress(step: string): void {
  process.stderr.write(`parsers bench: ${step}\n`);
}
