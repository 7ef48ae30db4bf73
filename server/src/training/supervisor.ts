import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Op, type Sequelize } from 'sequelize';
import type { SecretBox } from '../crypto/secretBox.js';
import { conflict } from '../errors.js';
import { GpuHost, TrainingMetric, TrainingTask } from '../models/index.js';
import { NO_DATASETS, type TrainingDatasetSource } from './datasetSource.js';
import { TrainingEventHub } from './events.js';
import { sshTargetFor } from './hostCredentials.js';
import { launchRun } from './launcher.js';
import { ACTIVE_STATUSES, takeQueuedIntoFreeSlots, takeSlotOrQueue, type Lease } from './queue.js';
import { RemoteRun } from './remoteRun.js';
import { finishRun } from './runEnd.js';
import type { TrainingSettings } from './settings.js';
import { SshConnectionPool } from './ssh/pool.js';
import { RunWatcher, type WatcherContext } from './watcher.js';

/** The columns a fresh run starts from. */
const FRESH_RUN = {
  step: 0,
  totalSteps: null,
  percent: 0,
  epoch: null,
  remainingMs: null,
  elapsedMs: null,
  logOffset: 0,
  metricsOffset: 0,
  processGroup: null,
  adapterPath: null,
  swanlabUrl: null,
  resumeCheckpoint: null,
} as const;

export interface SupervisorServices {
  sequelize: Sequelize;
  logger: Logger;
  secrets: SecretBox;
}

/**
 * Runs the training side of one server. It launches tasks when their host has a free slot,
 * keeps one watcher per running task whose lease this instance has, and carries out stops. At
 * start and every third of the lease time it takes over running tasks that no live server
 * watches, such as after a restart.
 */
export class TrainingSupervisor {
  readonly hub = new TrainingEventHub();
  readonly pool: SshConnectionPool;
  /** This instance's id in the tasks' lease columns. */
  readonly instanceId = randomUUID();
  private readonly watchers = new Map<number, RunWatcher>();
  private readonly launching = new Set<number>();
  private readonly pending = new Set<Promise<unknown>>();
  private datasets: TrainingDatasetSource = NO_DATASETS;
  private scanTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private readonly log: Logger;

  constructor(
    private readonly services: SupervisorServices,
    readonly settings: TrainingSettings,
  ) {
    this.log = services.logger.child({ component: 'training' });
    this.pool = new SshConnectionPool((host) => sshTargetFor(services.secrets, host, settings));
  }

  /** Sets where task datasets come from; the datasets feature calls this at start. */
  useDatasetSource(source: TrainingDatasetSource): void {
    this.datasets = source;
    // Queued tasks that waited for their dataset can start now; before start() the scan there does it.
    if (this.scanTimer !== undefined) {
      this.track(this.scan());
    }
  }

  get datasetSource(): TrainingDatasetSource {
    return this.datasets;
  }

  private get lease(): Lease {
    return { instanceId: this.instanceId, leaseMs: this.settings.leaseMs };
  }

  /** Takes over unwatched running tasks and starts queued ones, now and periodically. */
  async start(): Promise<void> {
    await this.scan();
    this.scanTimer = setInterval(() => this.track(this.scan()), this.settings.leaseMs / 3);
    this.scanTimer.unref();
  }

  /** Stops watching (the runs go on), releases the leases and closes the SSH connections. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.scanTimer);
    // Launches in progress finish first, so a shutdown does not fail a half-uploaded run.
    await Promise.allSettled([...this.pending]);
    const watchersDone = [...this.watchers.values()].map((watcher) => watcher.close());
    // Closing the connections ends reads in flight at once instead of at an SSH timeout.
    this.pool.closeAll();
    await Promise.allSettled(watchersDone);
    await TrainingTask.update(
      { watcherId: null, watcherExpiresAt: null },
      { where: { watcherId: this.instanceId } },
    );
  }

  /** Reports whether this instance watches the task now. */
  isWatching(taskId: number): boolean {
    return this.watchers.has(taskId);
  }

  /**
   * Starts a pending, stopped or failed task from scratch. Returns once the task is running (its
   * launch goes on in the background) or queued.
   */
  startTask(task: TrainingTask): Promise<TrainingTask> {
    return this.enqueue(task, null);
  }

  /**
   * Resumes a stopped or failed task from its last checkpoint, which LLaMA-Factory saves every
   * `save_steps`. Throws a 409 when no checkpoint was saved.
   */
  async resumeTask(task: TrainingTask): Promise<TrainingTask> {
    if (task.status !== 'stopped' && task.status !== 'failed') {
      throw conflict(
        'task_not_resumable',
        `Task ${task.id} is ${task.status}; only stopped or failed tasks resume.`,
      );
    }
    const host = task.gpuHostId === null ? null : await GpuHost.findByPk(task.gpuHostId);
    if (host === null || task.runDir === null) {
      throw conflict(
        'no_checkpoint',
        `Task ${task.id} has no run directory on a host to resume from; start it again instead.`,
      );
    }
    const connection = await this.pool.acquire(host);
    const run = new RemoteRun(connection, task.runDir, this.settings.commandTimeoutMs);
    const checkpoint = await run.latestCheckpoint();
    if (checkpoint === null) {
      throw conflict(
        'no_checkpoint',
        `Task ${task.id} saved no checkpoint before it ended (save steps: ` +
          `${task.parameters.saveSteps}); start it again instead.`,
      );
    }
    return this.enqueue(task, checkpoint);
  }

  /**
   * Resets the task for a fresh run, or for a run resumed from `checkpoint`, then launches or
   * queues it. Metrics after the checkpoint are dropped, because the resumed run logs those
   * steps again.
   */
  private async enqueue(
    task: TrainingTask,
    checkpoint: { dir: string; step: number } | null,
  ): Promise<TrainingTask> {
    const launchNow = await takeSlotOrQueue(
      this.services.sequelize,
      task,
      this.lease,
      async (current, transaction) => {
        await current.reload({ transaction });
        if (!['pending', 'stopped', 'failed'].includes(current.status)) {
          throw conflict(
            'task_not_startable',
            `Task ${current.id} is ${current.status}; only pending, stopped or failed tasks start.`,
          );
        }
        current.set({
          exitCode: null,
          errorTail: null,
          finishedAt: null,
          stopRequestedAt: null,
          processGroup: null,
        });
        if (checkpoint !== null) {
          current.set({ resumeCheckpoint: checkpoint.dir, step: checkpoint.step });
          if (current.totalSteps !== null && current.totalSteps > 0) {
            current.percent = (checkpoint.step / current.totalSteps) * 100;
          }
          await TrainingMetric.destroy({
            where: { taskId: current.id, step: { [Op.gt]: checkpoint.step } },
            transaction,
          });
          return;
        }
        current.set(FRESH_RUN);
        await TrainingMetric.destroy({ where: { taskId: current.id }, transaction });
      },
    );
    this.publishStatus(task);
    if (launchNow) {
      this.track(this.launch(task));
    }
    return task;
  }

  /**
   * Stops a task: a queued one at once; a running one by the watcher's stop sequence
   * (SIGABRT, then SIGTERM, then SIGKILL). Stopping a stopping task changes nothing.
   */
  async stopTask(task: TrainingTask): Promise<TrainingTask> {
    if (task.status === 'queued') {
      const [updated] = await TrainingTask.update(
        { status: 'stopped', finishedAt: new Date(), queuedAt: null },
        { where: { id: task.id, status: 'queued' } },
      );
      await task.reload();
      if (updated === 1) {
        this.publishStatus(task);
      }
      return task;
    }
    if (task.status === 'running') {
      await TrainingTask.update(
        { status: 'stopping', stopRequestedAt: new Date() },
        { where: { id: task.id, status: 'running' } },
      );
      await task.reload();
      this.publishStatus(task);
      this.watchers.get(task.id)?.poke();
      return task;
    }
    if (task.status === 'stopping') {
      return task;
    }
    throw conflict(
      'task_not_running',
      `Task ${task.id} is ${task.status}, so there is nothing to stop.`,
    );
  }

  /** Deletes a task that is not running; with `removeRunDir`, its run directory first. */
  async deleteTask(task: TrainingTask, removeRunDir: boolean): Promise<void> {
    if ((ACTIVE_STATUSES as readonly string[]).includes(task.status)) {
      throw conflict(
        'task_active',
        `Task ${task.id} is ${task.status}; stop it before deleting it.`,
      );
    }
    if (removeRunDir && task.runDir !== null && task.gpuHostId !== null) {
      const host = await GpuHost.findByPk(task.gpuHostId);
      if (host !== null) {
        const connection = await this.pool.acquire(host);
        await new RemoteRun(connection, task.runDir, this.settings.commandTimeoutMs).remove();
      }
    }
    await task.destroy();
  }

  /**
   * Drops the pooled connection of a changed or deleted host, and starts queued tasks in case
   * the host now allows more runs.
   */
  hostChanged(hostId: number): void {
    this.pool.drop(hostId);
    this.track(this.startQueued(hostId));
  }

  private async launch(task: TrainingTask): Promise<void> {
    this.launching.add(task.id);
    try {
      await launchRun(
        { pool: this.pool, settings: this.settings, logger: this.log, datasets: this.datasets },
        task,
      );
      this.watch(task.id);
    } catch (error) {
      this.log.error({ err: error, taskId: task.id }, 'starting the training run failed');
      await task.reload();
      await finishRun(this.watcherContext(), task, {
        status: 'failed',
        exitCode: null,
        errorTail: `The run could not start: ${error instanceof Error ? error.message : String(error)}`,
        adapterPath: null,
      });
    } finally {
      this.launching.delete(task.id);
    }
  }

  private watch(taskId: number): void {
    if (this.closing || this.watchers.has(taskId)) {
      return;
    }
    const watcher = new RunWatcher(this.watcherContext(), taskId);
    this.watchers.set(taskId, watcher);
    void watcher.done.finally(() => {
      if (this.watchers.get(taskId) === watcher) {
        this.watchers.delete(taskId);
      }
    });
  }

  private watcherContext(): WatcherContext {
    return {
      sequelize: this.services.sequelize,
      logger: this.log,
      settings: this.settings,
      pool: this.pool,
      hub: this.hub,
      instanceId: this.instanceId,
      onEnded: (task) => {
        if (task.gpuHostId !== null) {
          this.track(this.startQueued(task.gpuHostId));
        }
      },
    };
  }

  private async startQueued(hostId: number): Promise<void> {
    // NOTE: until the datasets feature sets a source, every launch would fail on a missing
    // dataset, so queued tasks wait instead.
    if (this.closing || this.datasets === NO_DATASETS) {
      return;
    }
    const tasks = await takeQueuedIntoFreeSlots(this.services.sequelize, hostId, this.lease);
    for (const task of tasks) {
      this.publishStatus(task);
      this.track(this.launch(task));
    }
  }

  /** Claims running tasks whose lease expired or was released, and fills free slots. */
  private async scan(): Promise<void> {
    if (this.closing) {
      return;
    }
    const now = new Date();
    const unwatched = await TrainingTask.findAll({
      where: {
        status: [...ACTIVE_STATUSES],
        [Op.or]: [
          { watcherId: null },
          { watcherId: this.instanceId },
          { watcherExpiresAt: { [Op.lt]: now } },
        ],
      },
    });
    for (const task of unwatched) {
      if (this.watchers.has(task.id) || this.launching.has(task.id)) {
        continue;
      }
      if (await this.claim(task, now)) {
        this.log.info({ taskId: task.id }, 'watching a running training task again');
        this.watch(task.id);
      }
    }
    const hosts = await TrainingTask.findAll({
      attributes: ['gpuHostId'],
      where: { status: 'queued' },
      group: ['gpuHostId'],
    });
    for (const { gpuHostId } of hosts) {
      if (gpuHostId !== null) {
        await this.startQueued(gpuHostId);
      }
    }
  }

  private async claim(task: TrainingTask, now: Date): Promise<boolean> {
    const [updated] = await TrainingTask.update(
      {
        watcherId: this.instanceId,
        watcherExpiresAt: new Date(now.getTime() + this.settings.leaseMs),
      },
      {
        where: {
          id: task.id,
          status: [...ACTIVE_STATUSES],
          [Op.or]: [
            { watcherId: null },
            { watcherId: this.instanceId },
            { watcherExpiresAt: { [Op.lt]: now } },
          ],
        },
      },
    );
    return updated === 1;
  }

  private publishStatus(task: TrainingTask): void {
    this.hub.publish(task.id, 'status', {
      taskId: task.id,
      status: task.status,
      exitCode: task.exitCode,
      errorTail: task.errorTail,
    });
  }

  /** Keeps a background promise so close() can wait for it, and logs its failure. */
  private track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => {
      this.log.error({ err: error }, 'a background training step failed');
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
