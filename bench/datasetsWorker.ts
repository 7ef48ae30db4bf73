// Child process started by bench/datasets.ts: receives one DatasetJob over IPC, reads the files
// with one side's code, and sends back a DatasetReply. Each side runs in its own process so its
// RSS high-water mark is its own.
import fs from 'node:fs';
import { createDatasetValidator } from '../shared/src/datasets/index.js';

/** Bytes per read: the default highWaterMark of fs read streams, as an upload arrives in pieces. */
export const READ_CHUNK_BYTES = 64 * 1024;

export type DatasetSide = 'baseline' | 'validator';

export interface DatasetJob {
  side: DatasetSide;
  files: string[];
}

export interface DatasetResult {
  /** Seconds from opening the first file to the last record, start-up excluded. */
  seconds: number;
  bytes: number;
  records: number;
  /** Records the validator found invalid, 0 on the baseline side. */
  invalidRecords: number;
  /** The process's RSS high-water mark over its whole life, in bytes. */
  maxRssBytes: number;
  /** CPU seconds the process used, start-up included. */
  cpuSeconds: number;
}

export type DatasetReply = { ok: true; result: DatasetResult } | { ok: false; message: string };

/** Decodes, splits lines and JSON.parses each non-empty one, with nothing else: the baseline. */
async function splitAndParse(file: string): Promise<{ records: number; invalid: number }> {
  const decoder = new TextDecoder();
  let carry = '';
  let records = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    const text = carry + decoder.decode(chunk as Buffer, { stream: true });
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline !== -1) {
      if (newline > start) {
        JSON.parse(text.slice(start, newline));
        records += 1;
      }
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    carry = text.slice(start);
  }
  if (carry.length > 0) {
    JSON.parse(carry);
    records += 1;
  }
  return { records, invalid: 0 };
}

async function validate(file: string): Promise<{ records: number; invalid: number }> {
  const validator = createDatasetValidator({ fileName: file, cutoffLength: 1024 });
  for await (const chunk of fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
    validator.push(chunk as Buffer);
  }
  const report = validator.end();
  return { records: report.recordCount, invalid: report.invalidCount };
}

async function measure(job: DatasetJob): Promise<DatasetResult> {
  const started = performance.now();
  let bytes = 0;
  let records = 0;
  let invalidRecords = 0;
  for (const file of job.files) {
    const counts = job.side === 'baseline' ? await splitAndParse(file) : await validate(file);
    bytes += fs.statSync(file).size;
    records += counts.records;
    invalidRecords += counts.invalid;
  }
  const seconds = (performance.now() - started) / 1000;
  const usage = process.resourceUsage();
  return {
    seconds,
    bytes,
    records,
    invalidRecords,
    maxRssBytes: usage.maxRSS * 1024,
    cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
  };
}

function reply(message: DatasetReply): void {
  process.send?.(message, () => process.exit(0));
}

process.once('message', (job: DatasetJob) => {
  measure(job).then(
    (result) => reply({ ok: true, result }),
    (error: unknown) =>
      reply({
        ok: false,
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
