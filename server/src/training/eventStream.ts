import {
  FINISHED_TRAINING_STATUSES,
  type TrainingEvent,
  type TrainingEventMap,
} from '../../../shared/src/api/training.js';
import { SseStream } from '../chat/sseStream.js';
import type { AppContext } from '../context.js';
import type { TrainingTask } from '../models/index.js';
import type { TrainingEventHub } from './events.js';
import { presentProgress } from './presenters.js';

/**
 * Streams a task's events as SSE. Starts with the current status and progress, sends a comment
 * line after `keepAliveMs` without an event, and ends after the status event of a finished task or
 * when the client leaves. It subscribes before it reads the current state, so no event falls
 * between the two. Events come from the run as they happen and cannot wait for a slow client, so
 * a client more than MAX_BUFFERED_BYTES behind is disconnected and resumes when it reconnects.
 */
export async function streamTaskEvents(
  ctx: AppContext,
  task: TrainingTask,
  hub: TrainingEventHub,
  keepAliveMs: number,
): Promise<void> {
  const stream = new SseStream<TrainingEventMap>(ctx, keepAliveMs);
  let unsubscribe = () => undefined as void;
  const end = () => {
    unsubscribe();
    ctx.services.stopping.removeEventListener('abort', end);
    stream.end();
  };
  const send = (event: TrainingEvent) => {
    stream.send(event.type, event.data);
    if (!stream.open) {
      end();
    } else if (event.type === 'status' && FINISHED_TRAINING_STATUSES.includes(event.data.status)) {
      end();
    }
  };

  const early: TrainingEvent[] = [];
  unsubscribe = hub.subscribe(task.id, (event) => early.push(event));
  // The response closes when it ends or when the client goes away.
  ctx.res.once('close', end);
  // A shutting-down server ends its streams, so they do not hold it open until the grace time.
  ctx.services.stopping.addEventListener('abort', end, { once: true });
  await task.reload();
  unsubscribe();
  if (!stream.open) {
    return;
  }
  unsubscribe = hub.subscribe(task.id, send);
  send({ type: 'progress', data: { taskId: task.id, ...presentProgress(task) } });
  send({
    type: 'status',
    data: {
      taskId: task.id,
      status: task.status,
      exitCode: task.exitCode,
      errorTail: task.errorTail,
    },
  });
  // The state read covers status and progress; log lines and metrics are not part of it.
  for (const event of early) {
    if (stream.open && (event.type === 'log' || event.type === 'metric')) {
      send(event);
    }
  }
}
