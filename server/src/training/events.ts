import { EventEmitter } from 'node:events';
import type {
  TrainingEvent,
  TrainingEventMap,
  TrainingEventType,
} from '../../../shared/src/api/training.js';

/**
 * Delivers a task's status, progress, metric and log events to the streams that follow it.
 * NOTE: events stay in this process. A client of another server instance gets a task's events
 * only from the instance whose watcher holds the task's lease.
 */
export class TrainingEventHub {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per open event stream; their number is bounded by the HTTP connections.
    this.emitter.setMaxListeners(0);
  }

  publish<K extends TrainingEventType>(taskId: number, type: K, data: TrainingEventMap[K]): void {
    const event = { type, data } as TrainingEvent;
    this.emitter.emit(String(taskId), event);
  }

  /** Calls `listener` with each event of the task until the returned function is called. */
  subscribe(taskId: number, listener: (event: TrainingEvent) => void): () => void {
    const channel = String(taskId);
    this.emitter.on(channel, listener);
    return () => this.emitter.off(channel, listener);
  }

  listenerCount(taskId: number): number {
    return this.emitter.listenerCount(String(taskId));
  }
}
