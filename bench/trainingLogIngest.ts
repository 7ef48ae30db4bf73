// The ingest side of the training-log benchmark: three ways to consume a trainer_log.jsonl that is
// already in memory, read in the same windows as the server's run watcher reads it over SFTP.
import { Op, type Sequelize } from 'sequelize';
import { TrainingMetric, TrainingTask } from '../server/src/models/index.js';
import type { TrainingEventHub } from '../server/src/training/events.js';
import { splitLines } from '../server/src/training/lineSplitter.js';
import { presentMetric, presentProgress } from '../server/src/training/presenters.js';
import { storeBatch } from '../server/src/training/progressStore.js';
import { parseTrainerLine, type TrainerRecord } from '../server/src/training/trainerLog.js';
import { TINY_PARAMETERS } from '../server/src/testing/trainingFixture.js';

/**
 * Bytes the watcher reads from trainer_log.jsonl per request, and so the most lines one batch
 * stores. NOTE: a copy of READ_CHUNK_BYTES in server/src/training/watcher.ts, not exported there.
 */
export const READ_CHUNK_BYTES = 256 * 1024;

const NEWLINE = 0x0a;

/** Lines a pipeline read and transactions it ran, checked against the fixture after every run. */
export interface IngestCount {
  lines: number;
  /** Database transactions, one per read window, or 0 where nothing is stored. */
  batches: number;
}

/**
 * Calls `consume` with each window of the log as the watcher reads it: up to READ_CHUNK_BYTES
 * from the offset after the last whole line, so a line cut by the window is read again whole.
 */
async function forEachWindow(
  log: Buffer,
  consume: (data: Buffer, atEnd: boolean) => Promise<number> | number,
): Promise<void> {
  let offset = 0;
  while (offset < log.length) {
    const data = log.subarray(offset, offset + READ_CHUNK_BYTES);
    const atEnd = offset + data.length >= log.length;
    const consumed = await consume(data, atEnd);
    if (consumed === 0) {
      throw new Error(`No whole line in the ${data.length} bytes at offset ${offset}.`);
    }
    offset += consumed;
  }
}

/** Runs the baseline: splits each window's text on "\n" and JSON.parses every non-empty line. */
export async function splitAndParse(log: Buffer): Promise<IngestCount> {
  let lines = 0;
  await forEachWindow(log, (data) => {
    const end = data.lastIndexOf(NEWLINE) + 1;
    for (const line of data.subarray(0, end).toString('utf8').split('\n')) {
      if (line !== '') {
        JSON.parse(line);
        lines += 1;
      }
    }
    return end;
  });
  return { lines, batches: 0 };
}

/** Runs the server's parsing alone: splitLines and parseTrainerLine, as the watcher calls them. */
export async function parseOnly(log: Buffer): Promise<IngestCount> {
  let lines = 0;
  await forEachWindow(log, (data, atEnd) => {
    const split = splitLines(data, atEnd, READ_CHUNK_BYTES);
    lines += parseRecords(split.lines).length;
    return split.consumed;
  });
  return { lines, batches: 0 };
}

/** The database, the task whose metrics are stored, and the hub its events go to. */
export interface StoreTarget {
  sequelize: Sequelize;
  task: TrainingTask;
  hub: TrainingEventHub;
}

/**
 * Runs the server's whole path from bytes to stored metrics: parsing as above, then per window one
 * storeBatch transaction (the metric rows, the task's progress and its new offset) and the
 * metric and progress events on the hub, as RunWatcher.readFiles does.
 */
export async function parseAndStore(
  log: Buffer,
  { sequelize, task, hub }: StoreTarget,
  /** Called after each batch with its line count and the seconds since the previous batch ended. */
  onBatch: (lines: number, seconds: number) => void = () => undefined,
): Promise<IngestCount> {
  let lines = 0;
  let batches = 0;
  let batchStart = performance.now();
  await forEachWindow(log, async (data, atEnd) => {
    const split = splitLines(data, atEnd, READ_CHUNK_BYTES);
    const records = parseRecords(split.lines);
    const changed = await storeBatch(sequelize, task, {
      logOffset: task.logOffset,
      metricsOffset: task.metricsOffset + split.consumed,
      records,
      swanlabUrl: null,
    });
    for (const metric of changed) {
      hub.publish(task.id, 'metric', { taskId: task.id, metric: presentMetric(metric) });
    }
    if (records.length > 0) {
      hub.publish(task.id, 'progress', { taskId: task.id, ...presentProgress(task) });
    }
    lines += records.length;
    batches += 1;
    const now = performance.now();
    onBatch(records.length, (now - batchStart) / 1000);
    batchStart = now;
    return split.consumed;
  });
  return { lines, batches };
}

/** Parses the lines of one window and skips blank ones, as RunWatcher.parseRecords does. */
function parseRecords(lines: readonly string[]): TrainerRecord[] {
  const records: TrainerRecord[] = [];
  for (const line of lines) {
    if (line.trim() === '') {
      continue;
    }
    const parsed = parseTrainerLine(line);
    if (!('record' in parsed)) {
      throw new Error(`The fixture has a line the server skips: ${parsed.error}`);
    }
    records.push(parsed.record);
  }
  return records;
}

/**
 * Creates a pending task to store one run's metrics into. It has no host or run directory, and
 * a pending task is neither launched nor watched, so the server's supervisor leaves it alone.
 */
export function createIngestTask(ownerId: number, name: string): Promise<TrainingTask> {
  return TrainingTask.create({
    ownerId,
    name,
    baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
    datasetId: 1,
    datasetSnapshot: null,
    gpuHostId: null,
    parameters: TINY_PARAMETERS as unknown as TrainingTask['parameters'],
    status: 'pending',
    totalSteps: null,
    epoch: null,
    remainingMs: null,
    elapsedMs: null,
    runDir: null,
    processGroup: null,
    exitCode: null,
    errorTail: null,
    adapterPath: null,
    swanlabUrl: null,
    resumeCheckpoint: null,
    stopRequestedAt: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    watcherId: null,
    watcherExpiresAt: null,
  });
}

/** Returns the stored rows and progress of a task after a store run, for the fixture check. */
export async function storedCounts(task: TrainingTask) {
  await task.reload();
  const rows = await TrainingMetric.count({ where: { taskId: task.id } });
  const withEvalLoss = await TrainingMetric.count({
    where: { taskId: task.id, evalLoss: { [Op.ne]: null } },
  });
  return { rows, withEvalLoss, step: task.step, metricsOffset: task.metricsOffset };
}

/** Deletes a task and its metric rows, so every store run starts from the same table size. */
export async function removeIngestTask(task: TrainingTask): Promise<void> {
  await TrainingMetric.destroy({ where: { taskId: task.id } });
  await task.destroy();
}
