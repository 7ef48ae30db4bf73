import type { Sequelize } from 'sequelize';
import { runTransaction } from '../db/transactions.js';
import { TrainingMetric, type TrainingTask } from '../models/index.js';
import type { TrainerRecord } from './trainerLog.js';

/** Records and offsets from one read of a run's files. */
export interface ReadBatch {
  /** Offsets after the bytes whose lines are in this batch. */
  logOffset: number;
  metricsOffset: number;
  records: TrainerRecord[];
  /** A SwanLab run link first seen in this batch. */
  swanlabUrl: string | null;
}

type MetricFields = Pick<
  TrainingMetric,
  'totalSteps' | 'loss' | 'evalLoss' | 'learningRate' | 'epoch' | 'throughput'
>;

/**
 * Stores a batch in one transaction: the metrics, the task's progress and the new offsets.
 * A crash before the commit leaves the old offsets, so the same bytes are read again, and one
 * after it leaves the new ones, so nothing is read twice. Records of a step already stored, as
 * an evaluation record after the training record of its step, are merged into that step's row.
 * Returns the rows created or changed, in step order.
 */
export async function storeBatch(
  sequelize: Sequelize,
  task: TrainingTask,
  batch: ReadBatch,
): Promise<TrainingMetric[]> {
  return runTransaction(sequelize, async (transaction) => {
    const byStep = mergeByStep(batch.records);
    const existing = await TrainingMetric.findAll({
      where: { taskId: task.id, step: [...byStep.keys()] },
      transaction,
    });
    const rows = new Map(existing.map((row) => [row.step, row]));
    const changed: TrainingMetric[] = [];
    const added: { taskId: number; step: number }[] = [];
    for (const [step, fields] of byStep) {
      const row = rows.get(step);
      if (row === undefined) {
        added.push({ taskId: task.id, step, ...fields });
        continue;
      }
      for (const [key, value] of Object.entries(fields) as [keyof MetricFields, number | null][]) {
        if (value !== null) {
          row.set(key, value);
        }
      }
      changed.push(await row.save({ transaction }));
    }
    // One INSERT for the window's new steps: row by row, storing was the slowest part of
    // following a log (bench/trainingLog.ts).
    if (added.length > 0) {
      changed.push(...(await TrainingMetric.bulkCreate(added, { transaction })));
    }

    applyProgress(task, batch.records);
    task.logOffset = batch.logOffset;
    task.metricsOffset = batch.metricsOffset;
    if (batch.swanlabUrl !== null && task.swanlabUrl === null) {
      task.swanlabUrl = batch.swanlabUrl;
    }
    await task.save({ transaction });
    return changed.sort((a, b) => a.step - b.step);
  });
}

function mergeByStep(records: readonly TrainerRecord[]): Map<number, MetricFields> {
  const byStep = new Map<number, MetricFields>();
  for (const record of records) {
    const fields: MetricFields = byStep.get(record.step) ?? {
      totalSteps: null,
      loss: null,
      evalLoss: null,
      learningRate: null,
      epoch: null,
      throughput: null,
    };
    fields.totalSteps = record.totalSteps ?? fields.totalSteps;
    fields.loss = record.loss ?? fields.loss;
    fields.evalLoss = record.evalLoss ?? fields.evalLoss;
    fields.learningRate = record.lr ?? fields.learningRate;
    fields.epoch = record.epoch ?? fields.epoch;
    fields.throughput = record.throughput ?? fields.throughput;
    byStep.set(record.step, fields);
  }
  return byStep;
}

/** Sets the task's progress columns from the last record of the batch. */
function applyProgress(task: TrainingTask, records: readonly TrainerRecord[]): void {
  const last = records.at(-1);
  if (last === undefined) {
    return;
  }
  task.step = last.step;
  task.totalSteps = last.totalSteps ?? task.totalSteps;
  const percent =
    last.percent ?? (task.totalSteps ? (last.step / task.totalSteps) * 100 : task.percent);
  task.percent = Math.min(100, Math.max(0, percent));
  task.epoch = last.epoch ?? task.epoch;
  task.remainingMs = last.remainingMs ?? task.remainingMs;
  task.elapsedMs = last.elapsedMs ?? task.elapsedMs;
}
