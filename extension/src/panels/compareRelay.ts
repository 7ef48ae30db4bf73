import type { CompareStreamEvent } from '../../../shared/src/api/compare.js';
import type { CompareHostMessage } from '../../../shared/src/protocol/compare.js';

/**
 * Delay between two text deltas of a slot sent to the webview, in milliseconds. Provider chunks
 * arriving within it go in one message, so a fast stream costs at most one postMessage per slot
 * per interval.
 */
export const DELTA_INTERVAL_MS = 25;

/**
 * One comparison in flight: relays its stream events to the webview, with each slot's text
 * batched over DELTA_INTERVAL_MS.
 */
export class CompareRelay {
  private readonly controller = new AbortController();
  private readonly pending = new Map<number, { reasoning: string; content: string }>();
  private timer: NodeJS.Timeout | undefined;
  /** Known from the first `start` event. */
  comparisonId: number | undefined;
  /** True once `complete` was posted. */
  completed = false;
  /** True once the user asked to stop. */
  stopping = false;

  constructor(private readonly post: (message: CompareHostMessage) => void) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(): void {
    this.controller.abort();
  }

  handle(event: CompareStreamEvent): void {
    if (event.type === 'start') {
      this.comparisonId = event.data.comparisonId;
      this.post({ type: 'slotStart', comparisonId: this.comparisonId, result: event.data.result });
      return;
    }
    const comparisonId = this.comparisonId;
    if (comparisonId === undefined) {
      return;
    }
    switch (event.type) {
      case 'reasoning':
      case 'content':
        this.buffer(event.data.slot, event.type, event.data.text);
        break;
      case 'usage':
        this.flush();
        this.post({ type: 'slotUsage', comparisonId, ...event.data });
        break;
      case 'done':
      case 'error':
        this.flush();
        this.post({ type: 'slotEnd', comparisonId, result: event.data.result });
        break;
      case 'complete':
        this.flush();
        this.completed = true;
        this.post({ type: 'complete', comparison: event.data.comparison });
        break;
    }
  }

  dispose(): void {
    this.flush();
  }

  private buffer(slot: number, kind: 'reasoning' | 'content', text: string): void {
    const entry = this.pending.get(slot) ?? { reasoning: '', content: '' };
    entry[kind] += text;
    this.pending.set(slot, entry);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, DELTA_INTERVAL_MS);
  }

  /** Posts the buffered text of every slot now. */
  private flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const comparisonId = this.comparisonId;
    for (const [slot, { reasoning, content }] of this.pending) {
      if (comparisonId !== undefined) {
        this.post({ type: 'slotDelta', comparisonId, slot, reasoning, content });
      }
    }
    this.pending.clear();
  }
}
