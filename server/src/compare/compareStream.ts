import type {
  CompareStreamEvents,
  CompareStreamEventType,
} from '../../../shared/src/api/compare.js';
import { SseStream } from '../chat/sseStream.js';
import type { AppContext } from '../context.js';

/** Widens SseStream's `send`, which its type limits to chat events, to any event name. */
type UntypedSend = (type: string, data: unknown) => void;

/**
 * The event stream of a comparison: the chat's SseStream, with its headers, keep-alive comments
 * and direct writes, sending the compare events.
 * NOTE: the cast in `send` goes once SseStream takes its event map as a type parameter.
 */
export class CompareStream {
  private readonly stream: SseStream;

  constructor(ctx: AppContext, keepAliveMs: number) {
    this.stream = new SseStream(ctx, keepAliveMs);
  }

  /** Whether the client is still connected and the stream not yet ended. */
  get open(): boolean {
    return this.stream.open;
  }

  send<K extends CompareStreamEventType>(type: K, data: CompareStreamEvents[K]): void {
    (this.stream.send as UntypedSend).call(this.stream, type, data);
  }

  end(): void {
    this.stream.end();
  }
}
