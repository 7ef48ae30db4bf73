import type { z } from 'zod';
import { invalidFields } from '../errors.js';
import { GpuHost, TrainingTask, type User } from '../models/index.js';
import type { TrainingDatasetSource } from './datasetSource.js';
import { withDefaults } from './parameters.js';
import type { createBody } from './taskSchemas.js';

/** Checks that the host exists and that the dataset exists and the user may train on it. */
export async function checkReferences(
  datasets: TrainingDatasetSource,
  user: User,
  references: { datasetId?: number | undefined; gpuHostId?: number | undefined },
): Promise<void> {
  const { datasetId, gpuHostId } = references;
  if (gpuHostId !== undefined && (await GpuHost.findByPk(gpuHostId)) === null) {
    throw invalidFields('body', [
      {
        path: ['gpuHostId'],
        message: `GPU host ${gpuHostId} was not found; pick one from GET /api/training/hosts`,
      },
    ]);
  }
  if (datasetId !== undefined && (await datasets.resolve(datasetId, user)) === undefined) {
    throw invalidFields('body', [
      {
        path: ['datasetId'],
        message: `dataset ${datasetId} was not found; upload it or pick one of yours`,
      },
    ]);
  }
}

/** Creates a pending task; missing parameters take the defaults. */
export async function createTrainingTask(
  datasets: TrainingDatasetSource,
  user: User,
  body: z.output<typeof createBody>,
): Promise<TrainingTask> {
  await checkReferences(datasets, user, body);
  return TrainingTask.create({
    ownerId: user.id,
    name: body.name,
    baseModel: body.baseModel,
    datasetId: body.datasetId,
    datasetSnapshot: null,
    gpuHostId: body.gpuHostId,
    parameters: withDefaults(body.parameters),
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
