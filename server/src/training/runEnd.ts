import type { Logger } from 'pino';
import type { TrainingTask } from '../models/index.js';
import type { TrainingEventHub } from './events.js';
import { presentProgress } from './presenters.js';

/** The outcome of a run. */
export interface RunEnd {
  status: 'completed' | 'failed' | 'stopped';
  exitCode: number | null;
  errorTail: string | null;
  adapterPath: string | null;
}

/** Stores the end of a run, releases the task's lease, and notifies subscribers and the queue. */
export async function finishRun(
  context: { hub: TrainingEventHub; logger: Logger; onEnded(task: TrainingTask): void },
  task: TrainingTask,
  end: RunEnd,
): Promise<void> {
  task.set({
    ...end,
    finishedAt: new Date(),
    watcherId: null,
    watcherExpiresAt: null,
    ...(end.status === 'completed' ? { percent: 100, remainingMs: 0 } : {}),
  });
  await task.save();
  context.logger.info(
    { taskId: task.id, status: end.status, exitCode: end.exitCode },
    'training run ended',
  );
  context.hub.publish(task.id, 'progress', { taskId: task.id, ...presentProgress(task) });
  context.hub.publish(task.id, 'status', {
    taskId: task.id,
    status: task.status,
    exitCode: task.exitCode,
    errorTail: task.errorTail,
  });
  context.onEnded(task);
}
