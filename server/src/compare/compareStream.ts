import type {
  CompareStreamEvents,
  CompareStreamEventType,
} from '../../../shared/src/api/compare.js';
import { SseStream } from '../chat/sseStream.js';
import type { AppContext } from '../context.js';

/** Widens SseStream's `send`, which its type limits to chat events, to any event name. */
type UntypedSend = (type: string, data: unknown) => boolean;

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

  /**
   * Writes one event. Returns false when the stream is closed or the client has not yet read
   * what was written before. The caller should then wait for `drained()` before sending more.
   */
  send<K extends CompareStreamEventType>(type: K, data: CompareStreamEvents[K]): boolean {
    return (this.stream.send as UntypedSend).call(this.stream, type, data);
  }

  /** Waits until the client has read the buffered events, and resolves false on close or timeout. */
  drained(timeoutMs: number): Promise<boolean> {
    return this.stream.drained(timeoutMs);
  }

  /** Closes the connection without ending the stream, for a client that stopped reading. */
  abandon(): void {
    this.stream.abandon();
  }

  end(): void {
    this.stream.end();
  }
}
