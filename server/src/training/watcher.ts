import type { Logger } from 'pino';
import type { Sequelize } from 'sequelize';
import { GpuHost, TrainingTask } from '../models/index.js';
import type { TrainingEventHub } from './events.js';
import { splitLines } from './lineSplitter.js';
import { presentMetric, presentProgress } from './presenters.js';
import { storeBatch } from './progressStore.js';
import { RemoteRun, type StopSignal } from './remoteRun.js';
import { RUN_FILES } from './runFiles.js';
import type { TrainingSettings } from './settings.js';
import type { SshConnectionPool } from './ssh/pool.js';
import { SshError } from './ssh/errors.js';
import { parseTrainerLine, type TrainerRecord } from './trainerLog.js';
import { finishRun } from './runEnd.js';

/** Bytes read from each file per request; also the longest line kept whole. */
const READ_CHUNK_BYTES = 256 * 1024;
/** Requests per file and tick, so a long backlog is read in several ticks. */
const MAX_CHUNKS_PER_TICK = 16;
/** Every this many ticks a running task's process group is checked, to notice a killed run. */
const LIVENESS_EVERY_TICKS = 5;
/** A SwanLab run link as SwanLab prints it, such as https://swanlab.cn/@team/project/runs/abc123. */
const SWANLAB_URL = /https?:\/\/[^\s'"<>]+\/runs\/[A-Za-z0-9_-]+/;

/** Services a watcher uses from the supervisor. */
export interface WatcherContext {
  sequelize: Sequelize;
  logger: Logger;
  settings: TrainingSettings;
  pool: SshConnectionPool;
  hub: TrainingEventHub;
  /** This server instance's lease holder id. */
  instanceId: string;
  /** Called once the task ended, so a queued task may take its slot. */
  onEnded(task: TrainingTask): void;
}

/**
 * Follows one running task until it ends: reads new bytes of train.log and trainer_log.jsonl
 * from the stored offsets, stores metrics and progress, sends events, carries out a requested
 * stop, and finishes the task from its exit code. A lost connection is retried with backoff and
 * reading goes on from the stored offsets, so no line is lost or read twice.
 */
export class RunWatcher {
  readonly done: Promise<void>;
  private closed = false;
  private wake: (() => void) | undefined;
  private ticks = 0;
  private leaseRenewedAt = Date.now();
  private readonly signalsSent = new Set<StopSignal>();
  private readonly log: Logger;

  constructor(
    private readonly context: WatcherContext,
    readonly taskId: number,
  ) {
    this.log = context.logger.child({ taskId });
    this.done = this.loop();
  }

  /** Stops watching without touching the run, as when the server shuts down. */
  close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    return this.done;
  }

  /** Checks the run now instead of at the next poll, such as after a stop request. */
  poke(): void {
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const { settings } = this.context;
    let delay = settings.reconnectMinMs;
    while (!this.closed) {
      try {
        if (await this.tick()) {
          return;
        }
        delay = settings.reconnectMinMs;
        await this.sleep(settings.pollIntervalMs);
      } catch (error) {
        if (this.closed) {
          return;
        }
        const permanent = error instanceof SshError && !error.retryable;
        if (permanent) {
          delay = settings.reconnectMaxMs;
        }
        this.log[permanent ? 'error' : 'warn'](
          { err: error, retryInMs: delay },
          'reading the training run failed; retrying',
        );
        await this.sleep(delay);
        delay = Math.min(delay * 2, settings.reconnectMaxMs);
      }
    }
  }

  /** One look at the run; returns true once the watcher is done with the task. */
  private async tick(): Promise<boolean> {
    this.ticks += 1;
    const task = await TrainingTask.findByPk(this.taskId);
    if (task === null || (task.status !== 'running' && task.status !== 'stopping')) {
      return true;
    }
    if (!(await this.renewLease())) {
      this.log.warn('another server took over watching this task');
      return true;
    }
    const run = await this.remoteRun(task);
    if (run === null) {
      return true;
    }
    const processGroup = await this.processGroupOf(task, run);
    if (processGroup === null) {
      return true;
    }

    const exitCode = await run.readExitCode();
    await this.readFiles(task, run, exitCode !== null);
    if (exitCode !== null) {
      await this.finish(task, run, exitCode);
      return true;
    }
    if (task.status === 'stopping') {
      await this.escalateStop(task, run, processGroup);
    }
    const checkLiveness = task.status === 'stopping' || this.ticks % LIVENESS_EVERY_TICKS === 0;
    if (checkLiveness && !(await run.isAlive(processGroup))) {
      // run.sh records the exit code before it exits, so a code written since the first read
      // is found now; without one, the run was killed.
      const lateExitCode = await run.readExitCode();
      await this.readFiles(task, run, true);
      await this.finish(task, run, lateExitCode);
      return true;
    }
    return false;
  }

  private async remoteRun(task: TrainingTask): Promise<RemoteRun | null> {
    const host = task.gpuHostId === null ? null : await GpuHost.findByPk(task.gpuHostId);
    if (host === null || task.runDir === null) {
      await finishRun(this.context, task, {
        status: 'failed',
        exitCode: null,
        errorTail: 'The GPU host of this task was deleted while the task ran.',
        adapterPath: null,
      });
      return null;
    }
    const connection = await this.context.pool.acquire(host);
    return new RemoteRun(connection, task.runDir, this.context.settings.commandTimeoutMs);
  }

  /**
   * Returns the run's process group. A task without one was being launched when a server
   * stopped: run.sh writes its group to a file, so a run that did start is adopted.
   */
  private async processGroupOf(task: TrainingTask, run: RemoteRun): Promise<number | null> {
    if (task.processGroup !== null) {
      return task.processGroup;
    }
    const adopted = await run.readProcessGroup();
    if (adopted === null) {
      await finishRun(this.context, task, {
        status: 'failed',
        exitCode: null,
        errorTail: 'The server stopped while it was starting this run; start the task again.',
        adapterPath: null,
      });
      return null;
    }
    task.processGroup = adopted;
    await task.save();
    return adopted;
  }

  /** Reads what was appended to train.log and trainer_log.jsonl and stores it. */
  private async readFiles(task: TrainingTask, run: RemoteRun, ended: boolean): Promise<void> {
    for (let chunk = 0; chunk < MAX_CHUNKS_PER_TICK; chunk += 1) {
      const log = await this.readChunk(run, RUN_FILES.log, task.logOffset, ended);
      const metrics = await this.readChunk(run, RUN_FILES.trainerLog, task.metricsOffset, ended);
      const records = this.parseRecords(metrics.lines);
      const swanlabUrl = findSwanlabUrl(log.lines);
      const logOffset = task.logOffset + log.consumed;
      const metricsOffset = task.metricsOffset + metrics.consumed;
      if (logOffset !== task.logOffset || metricsOffset !== task.metricsOffset) {
        const changed = await storeBatch(this.context.sequelize, task, {
          logOffset,
          metricsOffset,
          records,
          swanlabUrl,
        });
        this.publish(task, log.lines, changed.map(presentMetric), records.length > 0);
      }
      if (log.atEnd && metrics.atEnd) {
        return;
      }
    }
  }

  private async readChunk(run: RemoteRun, file: string, offset: number, ended: boolean) {
    const read = await run.read(file, offset, READ_CHUNK_BYTES);
    if (read === null) {
      return { lines: [], consumed: 0, atEnd: true };
    }
    const atEnd = offset + read.data.length >= read.size;
    const split = splitLines(read.data, ended && atEnd, READ_CHUNK_BYTES);
    return { ...split, atEnd: atEnd && split.consumed === read.data.length };
  }

  private parseRecords(lines: readonly string[]): TrainerRecord[] {
    const records: TrainerRecord[] = [];
    for (const line of lines) {
      if (line.trim() === '') {
        continue;
      }
      const parsed = parseTrainerLine(line);
      if ('record' in parsed) {
        records.push(parsed.record);
      } else {
        this.log.warn({ problem: parsed.error }, 'skipped a trainer log line');
      }
    }
    return records;
  }

  private publish(
    task: TrainingTask,
    lines: string[],
    metrics: ReturnType<typeof presentMetric>[],
    progressed: boolean,
  ): void {
    const { hub } = this.context;
    if (lines.length > 0) {
      hub.publish(task.id, 'log', { taskId: task.id, lines });
    }
    for (const metric of metrics) {
      hub.publish(task.id, 'metric', { taskId: task.id, metric });
    }
    if (progressed) {
      hub.publish(task.id, 'progress', { taskId: task.id, ...presentProgress(task) });
    }
  }

  /**
   * Sends the signal the stop sequence has reached: SIGABRT (LLaMA-Factory finishes the step and
   * saves), SIGTERM after the stop grace period, then SIGKILL after the TERM grace period. The
   * time counts from the stop request, so a watcher that takes over after a restart goes on.
   */
  private async escalateStop(task: TrainingTask, run: RemoteRun, processGroup: number) {
    const { stopGraceMs, termGraceMs } = this.context.settings;
    const elapsed = Date.now() - (task.stopRequestedAt ?? new Date()).getTime();
    let signal: StopSignal = 'KILL';
    if (elapsed < stopGraceMs) {
      signal = 'ABRT';
    } else if (elapsed < stopGraceMs + termGraceMs) {
      signal = 'TERM';
    }
    if (!this.signalsSent.has(signal)) {
      this.signalsSent.add(signal);
      await run.signal(processGroup, signal);
      this.log.info({ signal, processGroup }, 'sent a stop signal to the training run');
    }
  }

  private async finish(task: TrainingTask, run: RemoteRun, exitCode: number | null) {
    const stopRequested = task.stopRequestedAt !== null;
    const reachedEnd = task.totalSteps !== null && task.step >= task.totalSteps;
    let status: 'completed' | 'failed' | 'stopped';
    if (exitCode === 0) {
      status = stopRequested && !reachedEnd ? 'stopped' : 'completed';
    } else {
      status = stopRequested ? 'stopped' : 'failed';
    }
    let errorTail: string | null = null;
    if (status === 'failed') {
      const tail = await run.readTail(RUN_FILES.log, 8192);
      const lines = tail.text.split('\n').slice(-40).join('\n').trimEnd();
      errorTail =
        exitCode === null
          ? `${lines}\nThe run ended without an exit code: it was killed (SIGKILL, the out-of-memory killer or a reboot).`
          : lines;
    }
    const adapterPath = (await run.hasAdapter()) ? run.path(RUN_FILES.outputDir) : null;
    await finishRun(this.context, task, { status, exitCode, errorTail, adapterPath });
  }

  private async renewLease(): Promise<boolean> {
    const { leaseMs } = this.context.settings;
    if (Date.now() - this.leaseRenewedAt < leaseMs / 3) {
      return true;
    }
    const [updated] = await TrainingTask.update(
      { watcherExpiresAt: new Date(Date.now() + leaseMs) },
      { where: { id: this.taskId, watcherId: this.context.instanceId } },
    );
    this.leaseRenewedAt = Date.now();
    return updated === 1;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.wake = wake;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}

function findSwanlabUrl(lines: readonly string[]): string | null {
  for (const line of lines) {
    if (/swanlab/i.test(line)) {
      const match = SWANLAB_URL.exec(line);
      if (match !== null) {
        return match[0];
      }
    }
  }
  return null;
}
