import type { Logger } from 'pino';
import { GpuHost, User, type TrainingTask } from '../models/index.js';
import {
  isSafeDatasetFileName,
  type TrainingDatasetFile,
  type TrainingDatasetSource,
} from './datasetSource.js';
import { RemoteRun } from './remoteRun.js';
import {
  buildDatasetInfo,
  buildRunScript,
  buildSetupScript,
  buildTrainingYaml,
  launchCommand,
  runDirFor,
} from './runFiles.js';
import type { TrainingSettings } from './settings.js';
import type { SshConnectionPool } from './ssh/pool.js';

/** A launch that cannot work until someone changes something, such as a missing dataset. */
export class LaunchError extends Error {
  override name = 'LaunchError';
}

export interface LaunchContext {
  pool: SshConnectionPool;
  settings: TrainingSettings;
  logger: Logger;
  datasets: TrainingDatasetSource;
}

/**
 * Starts a task's run on its host. It empties the run directory for a fresh run (a resumed run
 * keeps it), uploads the dataset, dataset_info.json, the YAML, run.sh and setup.sh over SFTP,
 * starts run.sh detached, and stores the run directory and process group.
 */
export async function launchRun(context: LaunchContext, task: TrainingTask): Promise<void> {
  const { host, dataset } = await launchInputs(context, task);

  const connection = await context.pool.acquire(host);
  const runDir = runDirFor(host.workDir, task.id);
  const run = new RemoteRun(connection, runDir, context.settings.commandTimeoutMs);
  const resumeFrom = task.resumeCheckpoint;
  if (resumeFrom === null) {
    await run.prepareFresh();
  } else {
    await run.prepareResume();
  }
  await run.upload(
    {
      datasetLocalPath: dataset.path,
      datasetFileName: dataset.fileName,
      datasetInfo: buildDatasetInfo(dataset),
      yaml: buildTrainingYaml({
        name: task.name,
        baseModel: task.baseModel,
        parameters: task.parameters,
        resumeFrom,
      }),
      runScript: buildRunScript(task.id),
      setupScript: buildSetupScript(host.setupCommand),
    },
    resumeFrom === null,
  );
  const processGroup = await run.launch(launchCommand(runDir, resumeFrom !== null));

  task.set({
    runDir,
    processGroup,
    resumeCheckpoint: null,
    startedAt: resumeFrom === null ? new Date() : (task.startedAt ?? new Date()),
    datasetSnapshot: {
      name: dataset.name,
      recordCount: dataset.recordCount,
      sizeBytes: dataset.sizeBytes,
    },
  });
  await task.save();
  context.logger.info(
    { taskId: task.id, hostId: host.id, processGroup, resumeFrom },
    'training run started',
  );
}

/** Loads the host and dataset of a task, or throws a LaunchError that names what is missing. */
async function launchInputs(
  context: LaunchContext,
  task: TrainingTask,
): Promise<{ host: GpuHost; dataset: TrainingDatasetFile }> {
  const host = task.gpuHostId === null ? null : await GpuHost.findByPk(task.gpuHostId);
  if (host === null) {
    throw new LaunchError(`The GPU host of task ${task.id} was deleted; pick another host.`);
  }
  const owner = await User.findByPk(task.ownerId);
  const dataset =
    owner === null ? undefined : await context.datasets.resolve(task.datasetId, owner);
  if (dataset === undefined) {
    throw new LaunchError(
      `Dataset ${task.datasetId} of task ${task.id} was not found; pick an existing dataset.`,
    );
  }
  if (!isSafeDatasetFileName(dataset.fileName)) {
    throw new LaunchError(
      `Dataset ${dataset.id} has the file name ${JSON.stringify(dataset.fileName)}, which cannot be ` +
        'used on the host; use letters, digits, _, . and - only.',
    );
  }
  return { host, dataset };
}
