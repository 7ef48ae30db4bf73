import type {
  ApiGpuHost,
  ApiTrainingMetric,
  ApiTrainingProgress,
  ApiTrainingTask,
} from '../../../shared/src/api/training.js';
import type { GpuHost, TrainingMetric, TrainingTask } from '../models/index.js';
import { maskFingerprint } from './ssh/keys.js';

/** Shapes a GPU host for responses: the key's masked fingerprint, never the key. */
export function presentGpuHost(host: GpuHost, activeRuns: number): ApiGpuHost {
  return {
    id: host.id,
    name: host.name,
    host: host.host,
    port: host.port,
    user: host.username,
    keyFingerprintMasked: maskFingerprint(host.keyFingerprint),
    hostKeyFingerprint: host.hostKeyFingerprint,
    workDir: host.workDir,
    setupCommand: host.setupCommand,
    launcher: host.launcher,
    maxConcurrentRuns: host.maxConcurrentRuns,
    activeRuns,
    createdAt: host.createdAt.toISOString(),
    updatedAt: host.updatedAt.toISOString(),
  };
}

export function presentProgress(task: TrainingTask): ApiTrainingProgress {
  return {
    step: task.step,
    totalSteps: task.totalSteps,
    percent: task.percent,
    epoch: task.epoch,
    remainingMs: task.remainingMs,
    elapsedMs: task.elapsedMs,
  };
}

export function presentTrainingTask(
  task: TrainingTask,
  queuePosition: number | null = null,
): ApiTrainingTask {
  return {
    id: task.id,
    ownerId: task.ownerId,
    name: task.name,
    baseModel: task.baseModel,
    datasetId: task.datasetId,
    gpuHostId: task.gpuHostId,
    parameters: task.parameters,
    status: task.status,
    progress: presentProgress(task),
    runDir: task.runDir,
    processGroup: task.processGroup,
    exitCode: task.exitCode,
    errorTail: task.errorTail,
    adapterPath: task.adapterPath,
    swanlabUrl: task.swanlabUrl,
    queuePosition: task.status === 'queued' ? queuePosition : null,
    createdAt: task.createdAt.toISOString(),
    updatedAt: task.updatedAt.toISOString(),
    startedAt: task.startedAt?.toISOString() ?? null,
    finishedAt: task.finishedAt?.toISOString() ?? null,
  };
}

export function presentMetric(metric: TrainingMetric): ApiTrainingMetric {
  return {
    step: metric.step,
    totalSteps: metric.totalSteps,
    loss: metric.loss,
    evalLoss: metric.evalLoss,
    lr: metric.learningRate,
    epoch: metric.epoch,
    throughput: metric.throughput,
    time: metric.createdAt.toISOString(),
  };
}
