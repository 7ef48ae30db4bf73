/// <reference types="node" />
/* eslint-disable no-restricted-imports -- the builders run in Node and read the fixtures. */
import fs from 'node:fs';
import path from 'node:path';
import {
  TRAINING_DEFAULTS,
  TRAINING_PARAMETER_RANGES,
  type ApiTrainingMetric,
  type ApiTrainingTask,
  type TrainingDefaultsResponse,
  type TrainingParameters,
} from '../../../../shared/src/api/training.js';

const FIXTURES = path.join(__dirname, 'fixtures');
const TIME = '2025-01-01T12:00:00.000Z';

/** Builds a task as the API returns it, running at step 20 of 40 unless `overrides` change it. */
export function trainingTask(
  id: number,
  overrides: Partial<ApiTrainingTask> = {},
): ApiTrainingTask {
  return {
    id,
    ownerId: 1,
    name: `Task ${id}`,
    baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
    datasetId: 7,
    gpuHostId: 3,
    parameters: TRAINING_DEFAULTS,
    status: 'running',
    progress: {
      step: 20,
      totalSteps: 40,
      percent: 50,
      epoch: 2,
      remainingMs: 125_000,
      elapsedMs: 120_000,
    },
    runDir: `training/llm-workbench/runs/${id}`,
    processGroup: 4242,
    exitCode: null,
    errorTail: null,
    adapterPath: null,
    swanlabUrl: null,
    queuePosition: null,
    createdAt: TIME,
    updatedAt: TIME,
    startedAt: TIME,
    finishedAt: null,
    ...overrides,
  };
}

/**
 * Reads the recorded trainer log as the server stores it: one record per step, where an
 * evaluation record adds its loss to the training record of the same step.
 */
export function recordedMetrics(): ApiTrainingMetric[] {
  const byStep = new Map<number, ApiTrainingMetric>();
  const lines = fs.readFileSync(path.join(FIXTURES, 'stand-in-trainer_log.jsonl'), 'utf8');
  for (const line of lines.split('\n').filter((text) => text !== '')) {
    const record = JSON.parse(line) as Record<string, number | undefined>;
    const step = record.current_steps as number;
    const known = byStep.get(step);
    byStep.set(step, {
      step,
      totalSteps: record.total_steps ?? null,
      loss: record.loss ?? known?.loss ?? null,
      evalLoss: record.eval_loss ?? known?.evalLoss ?? null,
      lr: record.lr ?? known?.lr ?? null,
      epoch: record.epoch ?? null,
      throughput: null,
      time: TIME,
    });
  }
  return [...byStep.values()].sort((left, right) => left.step - right.step);
}

/** Reads the recorded train.log, line by line. */
export function recordedLog(): string[] {
  return fs
    .readFileSync(path.join(FIXTURES, 'stand-in-train.log'), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** Builds the response of `GET /api/training/defaults`, with short explanations. */
export function trainingDefaults(): TrainingDefaultsResponse {
  const explanations = Object.fromEntries(
    Object.keys(TRAINING_DEFAULTS).map((key) => [key, `Advice on ${key}.`]),
  ) as Record<keyof TrainingParameters, string>;
  return { defaults: TRAINING_DEFAULTS, explanations, ranges: TRAINING_PARAMETER_RANGES };
}
