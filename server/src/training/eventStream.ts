import {
  FINISHED_TRAINING_STATUSES,
  type TrainingEvent,
} from '../../../shared/src/api/training.js';
import { encodeSseComment, encodeSseEvent } from '../../../shared/src/sse/codec.js';
import type { AppContext } from '../context.js';
import type { TrainingTask } from '../models/index.js';
import type { TrainingEventHub } from './events.js';
import { presentProgress } from './presenters.js';

/**
 * Streams a task's events as SSE, written straight to the Node response so each one leaves at
 * once. Starts with the current status and progress, sends a comment line after `keepAliveMs`
 * without an event, and ends after the status event of a finished task or when the client leaves.
 * It subscribes before it reads the current state, so no event falls between the two.
 */
export async function streamTaskEvents(
  ctx: AppContext,
  task: TrainingTask,
  hub: TrainingEventHub,
  keepAliveMs: number,
): Promise<void> {
  const response = startEventStream(ctx);
  const open = () => !response.writableEnded && !response.destroyed;
  const write = (frame: string) => {
    if (open()) {
      response.write(frame);
    }
  };
  const keepAlive = setInterval(() => write(encodeSseComment('keep-alive')), keepAliveMs);
  let unsubscribe = () => undefined as void;
  const end = () => {
    clearInterval(keepAlive);
    unsubscribe();
    ctx.services.stopping.removeEventListener('abort', end);
    if (open()) {
      response.end();
    }
  };
  const send = (event: TrainingEvent) => {
    write(encodeSseEvent(event.type, event.data));
    keepAlive.refresh();
    if (event.type === 'status' && FINISHED_TRAINING_STATUSES.includes(event.data.status)) {
      end();
    }
  };

  const early: TrainingEvent[] = [];
  unsubscribe = hub.subscribe(task.id, (event) => early.push(event));
  // The response closes when it ends or when the client goes away.
  response.once('close', end);
  // A shutting-down server ends its streams, so they do not hold it open until the grace time.
  ctx.services.stopping.addEventListener('abort', end, { once: true });
  await task.reload();
  unsubscribe();
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
    if (open() && (event.type === 'log' || event.type === 'metric')) {
      send(event);
    }
  }
}

/** Sends the event stream's status and headers at once, past Koa's body handling. */
function startEventStream(ctx: AppContext) {
  ctx.respond = false;
  ctx.status = 200;
  ctx.set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    // Turns off nginx's response buffering, which would hold events back.
    'X-Accel-Buffering': 'no',
  });
  ctx.req.socket.setNoDelay(true);
  ctx.res.flushHeaders();
  return ctx.res;
}
