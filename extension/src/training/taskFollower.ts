import {
  FINISHED_TRAINING_STATUSES,
  type ApiTrainingMetric,
  type ApiTrainingTask,
  type TrainingEventMap,
} from '../../../shared/src/api/training.js';
import type { MonitorConnection } from '../../../shared/src/protocol/training.js';
import type { SseEvent } from '../../../shared/src/sse/codec.js';
import { ApiError, SignedOutError } from '../api/errors.js';
import type { Logger } from '../log.js';
import { linesAfterLive, linesAfterTail, tailLines } from './logLines.js';
import type { TrainingApi } from './trainingApi.js';

/** Lines of train.log the follower keeps; older ones are dropped. */
export const MAX_LOG_LINES = 5000;
/** Bytes of train.log read when the stream (re)connects, to fill what the stream did not send. */
const TAIL_BYTES = 262_144;
const MIN_RETRY_MS = 1000;
const MAX_RETRY_MS = 15_000;

/** Callbacks of a follower; each gets only what changed. */
export interface FollowerListener {
  task(task: ApiTrainingTask): void;
  metrics(changed: ApiTrainingMetric[]): void;
  log(lines: string[], gap: boolean): void;
  connection(connection: MonitorConnection): void;
}

/**
 * Follows one task's event stream and keeps its metrics and the end of its log. When the stream
 * breaks it reconnects with backoff, then reads the stored metrics again and a tail of train.log,
 * so nothing is missed. Metrics are keyed by step, and log pieces are placed by the lines they
 * repeat, so nothing arrives twice.
 */
export class TaskFollower {
  task: ApiTrainingTask;
  connection: MonitorConnection = { state: 'connecting' };
  /** Dropped lines before the first kept one. */
  droppedLines = 0;
  private readonly metricsByStep = new Map<number, ApiTrainingMetric>();
  private logLines: string[] = [];
  private readonly abort = new AbortController();
  /** The reason the last connection ended, shown while reconnecting. */
  private lastFailure = '';

  constructor(
    task: ApiTrainingTask,
    private readonly api: TrainingApi,
    private readonly listener: FollowerListener,
    private readonly log: Logger,
  ) {
    this.task = task;
  }

  /** The stored metrics in step order. */
  get metrics(): ApiTrainingMetric[] {
    return [...this.metricsByStep.values()].sort((left, right) => left.step - right.step);
  }

  get lines(): readonly string[] {
    return this.logLines;
  }

  /** Follows the task until it finishes or `dispose` is called. */
  async run(): Promise<void> {
    let attempt = 0;
    while (!this.abort.signal.aborted) {
      const connected = await this.connectOnce();
      if (connected === 'done' || this.abort.signal.aborted) {
        return;
      }
      attempt = connected === 'progressed' ? 0 : attempt + 1;
      const retryInMs = Math.min(MIN_RETRY_MS * 2 ** attempt, MAX_RETRY_MS);
      this.setConnection({ state: 'reconnecting', retryInMs, reason: this.lastFailure });
      await sleep(retryInMs, this.abort.signal);
    }
  }

  dispose(): void {
    this.abort.abort();
  }

  /**
   * Opens the stream once and returns how it ended: `done` when the task finished or cannot be
   * followed any more, `progressed` when events arrived, else `failed`.
   */
  private async connectOnce(): Promise<'done' | 'progressed' | 'failed'> {
    const session = new StreamSession(this);
    let failure: unknown;
    try {
      await this.api.streamEvents(this.task.id, {
        signal: this.abort.signal,
        onEvent: (event) => session.handle(event),
      });
    } catch (error) {
      failure = error;
    }
    // The catch-up read logs its own failures and never rejects.
    await session.catchingUp;
    if (this.abort.signal.aborted) {
      return 'done';
    }
    if (failure === undefined) {
      this.lastFailure = 'the event stream ended';
    } else if (
      failure instanceof SignedOutError ||
      (failure instanceof ApiError && failure.status === 404)
    ) {
      this.log.warn(`Training task ${this.task.id}: stopped following its events`, failure);
      this.setConnection({ state: 'ended' });
      return 'done';
    } else {
      this.lastFailure = failure instanceof Error ? failure.message : 'the event stream failed';
      this.log.warn(`Training task ${this.task.id}: the event stream failed`, failure);
    }
    if (FINISHED_TRAINING_STATUSES.includes(this.task.status)) {
      this.setConnection({ state: 'ended' });
      return 'done';
    }
    return session.received ? 'progressed' : 'failed';
  }

  /** Applies an event of the stream. */
  applyEvent(event: SseEvent): void {
    if (event.event === 'status') {
      const data = JSON.parse(event.data) as TrainingEventMap['status'];
      const changed = data.status !== this.task.status;
      this.task = { ...this.task, ...pickStatus(data) };
      this.listener.task(this.task);
      if (changed) {
        // A new status also changes times, the adapter path and the queue position.
        void this.reloadTask();
      }
    } else if (event.event === 'progress') {
      const data = JSON.parse(event.data) as TrainingEventMap['progress'];
      const { step, totalSteps, percent, epoch, remainingMs, elapsedMs } = data;
      this.task = {
        ...this.task,
        progress: { step, totalSteps, percent, epoch, remainingMs, elapsedMs },
      };
      this.listener.task(this.task);
    } else if (event.event === 'metric') {
      const { metric } = JSON.parse(event.data) as TrainingEventMap['metric'];
      this.upsertMetrics([metric]);
    }
  }

  /** Stores metrics by step and reports the new or changed ones. */
  upsertMetrics(metrics: readonly ApiTrainingMetric[]): void {
    const changed = metrics.filter((metric) => {
      const known = this.metricsByStep.get(metric.step);
      return known === undefined || !sameMetric(known, metric);
    });
    for (const metric of changed) {
      this.metricsByStep.set(metric.step, metric);
    }
    if (changed.length > 0) {
      this.listener.metrics(changed);
    }
  }

  /** Adds lines that follow the known ones. */
  appendLog(lines: readonly string[], gap: boolean): void {
    if (lines.length === 0) {
      return;
    }
    this.logLines.push(...lines);
    const excess = this.logLines.length - MAX_LOG_LINES;
    if (excess > 0) {
      this.logLines = this.logLines.slice(excess);
      this.droppedLines += excess;
    }
    this.listener.log([...lines], gap);
  }

  setConnection(connection: MonitorConnection): void {
    this.connection = connection;
    this.listener.connection(connection);
  }

  /**
   * Reads the stored metrics and a tail of the log, then adds the live lines that came meanwhile.
   * A failed read is logged, and the live lines then follow with a gap mark.
   */
  async catchUp(session: StreamSession): Promise<void> {
    const taskId = this.task.id;
    const [metrics, tail] = await Promise.allSettled([
      this.api.metrics(taskId),
      this.api.logTail(taskId, TAIL_BYTES, this.abort.signal),
    ]);
    if (metrics.status === 'fulfilled') {
      this.upsertMetrics(metrics.value.filter((metric) => !session.liveSteps.has(metric.step)));
    } else {
      this.log.warn(`Training task ${taskId}: reading its metrics failed`, metrics.reason);
    }
    let gap = false;
    if (tail.status === 'fulfilled') {
      const complete = FINISHED_TRAINING_STATUSES.includes(this.task.status);
      const placed = linesAfterTail(
        this.logLines,
        tailLines(tail.value.text, tail.value.offset, complete),
      );
      this.appendLog(placed.lines, placed.gap);
    } else {
      this.log.warn(`Training task ${taskId}: reading the end of its log failed`, tail.reason);
      gap = this.logLines.length > 0;
    }
    this.appendLog(linesAfterLive(this.logLines, session.takeBufferedLines()), gap);
  }

  private async reloadTask(): Promise<void> {
    try {
      const task = await this.api.getTask(this.task.id);
      // Status and progress come from the stream, which may be ahead of this response.
      this.task = { ...task, status: this.task.status, progress: this.task.progress };
      this.listener.task(this.task);
    } catch (error) {
      this.log.warn(`Training task ${this.task.id}: reloading it failed`, error);
    }
  }
}

/**
 * One connection of the event stream. Until the catch-up read is done it holds back live log
 * lines, which may repeat the end of the tail, and notes the steps whose metrics arrived live,
 * because those are newer than what the catch-up read returns.
 */
class StreamSession {
  received = false;
  catchingUp: Promise<void> = Promise.resolve();
  readonly liveSteps = new Set<number>();
  private buffered: string[] | undefined = [];

  constructor(private readonly follower: TaskFollower) {}

  handle(event: SseEvent): void {
    if (!this.received) {
      this.received = true;
      this.follower.setConnection({ state: 'live' });
      // The catch-up starts only now: the stream is subscribed, so no line falls between the two.
      this.catchingUp = this.follower.catchUp(this);
    }
    if (event.event === 'log') {
      const { lines } = JSON.parse(event.data) as TrainingEventMap['log'];
      if (this.buffered === undefined) {
        this.follower.appendLog(lines, false);
      } else {
        this.buffered.push(...lines);
      }
      return;
    }
    if (event.event === 'metric') {
      const { metric } = JSON.parse(event.data) as TrainingEventMap['metric'];
      this.liveSteps.add(metric.step);
    }
    this.follower.applyEvent(event);
  }

  takeBufferedLines(): string[] {
    const lines = this.buffered ?? [];
    this.buffered = undefined;
    return lines;
  }
}

function pickStatus(data: TrainingEventMap['status']): Partial<ApiTrainingTask> {
  return { status: data.status, exitCode: data.exitCode, errorTail: data.errorTail };
}

function sameMetric(left: ApiTrainingMetric, right: ApiTrainingMetric): boolean {
  return (
    left.loss === right.loss &&
    left.evalLoss === right.evalLoss &&
    left.lr === right.lr &&
    left.epoch === right.epoch &&
    left.totalSteps === right.totalSteps &&
    left.throughput === right.throughput
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
