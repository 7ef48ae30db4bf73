import type { ServerResponse } from 'node:http';
import type { ChatStreamEvents, ChatStreamEventType } from '../../../shared/src/api/chat.js';
import { encodeSseComment, encodeSseEvent } from '../../../shared/src/sse/codec.js';
import type { AppContext } from '../context.js';

/** Headers of an event stream; the last two keep proxies such as nginx from buffering it. */
const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  'X-Accel-Buffering': 'no',
};

/**
 * A server-sent event stream written straight to the Node response, past Koa's body handling,
 * so each event leaves as soon as it is written. After `keepAliveMs` without an event it sends a
 * comment line, which clients ignore and which keeps idle proxies from closing the connection.
 */
export class SseStream {
  private readonly response: ServerResponse;
  private readonly keepAlive: NodeJS.Timeout;

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

  send<K extends ChatStreamEventType>(type: K, data: ChatStreamEvents[K]): void {
    this.write(encodeSseEvent(type, data));
    this.keepAlive.refresh();
  }

  end(): void {
    clearInterval(this.keepAlive);
    if (this.open) {
      this.response.end();
    }
  }

  private write(frame: string): void {
    if (this.open) {
      this.response.write(frame);
    }
  }
}
