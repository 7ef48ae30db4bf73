import type { ServerResponse } from 'node:http';
import type { ChatStreamEvents } from '../../../shared/src/api/chat.js';
import { encodeSseComment, encodeSseEvent } from '../../../shared/src/sse/codec.js';
import type { AppContext } from '../context.js';

/** Headers of an event stream; the last two keep proxies such as nginx from buffering it. */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

/**
 * Bytes a stream may have waiting for a slow client before it is closed. The check runs before
 * each write, so one event larger than this, such as a `done` event with a long answer, still
 * goes out whole.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * A server-sent event stream written straight to the Node response, past Koa's body handling,
 * so each event leaves as soon as it is written. After `keepAliveMs` without an event it sends a
 * comment line, which clients ignore and which keeps idle proxies from closing the connection.
 *
 * A client that reads slower than events arrive makes the response buffer them. A writer that
 * produces many events should wait for `drained()` whenever `send` returns false. A stream with
 * more than MAX_BUFFERED_BYTES waiting is closed, as if the client had left.
 */
export class SseStream<Events extends object = ChatStreamEvents> {
  private readonly response: ServerResponse;
  private readonly keepAlive: NodeJS.Timeout;
  /** True once the stream was closed because its client fell too far behind. */
  overflowed = false;

  /** Sends the status and headers at once; the headers Koa middleware set are kept. */
  constructor(ctx: AppContext, keepAliveMs: number) {
    ctx.respond = false;
    ctx.status = 200;
    ctx.set(SSE_HEADERS);
    this.response = ctx.res;
    ctx.req.socket.setNoDelay(true);
    this.response.flushHeaders();
    this.keepAlive = setInterval(() => this.write(encodeSseComment('keep-alive')), keepAliveMs);
    this.keepAlive.unref();
  }

  /** Whether the client is still connected and the stream not yet ended. */
  get open(): boolean {
    return !this.response.writableEnded && !this.response.destroyed;
  }

  /**
   * Writes one event. Returns false when the client has not yet read what was written before, or
   * when the stream is closed. The caller should then wait for `drained()` before sending more.
   */
  send<K extends keyof Events & string>(type: K, data: Events[K]): boolean {
    const accepted = this.write(encodeSseEvent(type, data));
    this.keepAlive.refresh();
    return accepted;
  }

  /**
   * Waits until the client has read the buffered events. Resolves true then, and false when the
   * stream closed or `timeoutMs` passed first.
   */
  drained(timeoutMs: number): Promise<boolean> {
    const response = this.response;
    if (!this.open) {
      return Promise.resolve(false);
    }
    if (!response.writableNeedDrain) {
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const settle = (result: boolean) => {
        clearTimeout(timer);
        response.off('drain', onDrain);
        response.off('close', onClose);
        resolve(result);
      };
      const onDrain = () => settle(true);
      const onClose = () => settle(false);
      const timer = setTimeout(() => settle(false), timeoutMs);
      response.on('drain', onDrain);
      response.on('close', onClose);
    });
  }

  end(): void {
    clearInterval(this.keepAlive);
    if (this.open) {
      this.response.end();
    }
  }

  /** Closes the connection without ending the stream, for a client that stopped reading. */
  abandon(): void {
    clearInterval(this.keepAlive);
    this.response.destroy();
  }

  private write(frame: string): boolean {
    if (!this.open) {
      return false;
    }
    if (this.response.writableLength > MAX_BUFFERED_BYTES) {
      this.overflowed = true;
      this.abandon();
      return false;
    }
    return this.response.write(frame);
  }
}
