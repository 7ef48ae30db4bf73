import { randomUUID } from 'node:crypto';
import net from 'node:net';
import type { Next } from 'koa';
import type { Logger } from 'pino';
import type { AppContext, AppState } from '../context.js';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (the client's `X-Request-Id` when it is safe to echo, else a new
 * UUID), returns it in `X-Request-Id`, and logs one line per request with its status and time.
 * The line carries the path without its query string, so no token in a URL reaches the log.
 */
export async function requestContext(ctx: AppContext, next: Next): Promise<void> {
  const started = process.hrtime.bigint();
  const offered = ctx.get('X-Request-Id');
  const requestId = CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID();
  ctx.state = new RequestState(requestId, ctx.services.logger);
  ctx.set('X-Request-Id', requestId);
  // Behind TRUST_PROXY, ctx.ip comes from X-Forwarded-For, which need not hold an address. The
  // audit log and the rate limit key on ctx.ip, so anything else falls back to the socket address.
  if (net.isIP(ctx.ip) === 0) {
    ctx.request.ip = ctx.req.socket.remoteAddress ?? '';
  }
  try {
    await next();
  } finally {
    logRequest(ctx, started);
  }
}

/**
 * The per-request state. The child logger is made on first use, because most requests log nothing
 * but their request line. A class keeps the lazy getter off each request's object, which is
 * cheaper than defining a property per request.
 */
class RequestState implements AppState {
  user?: AppState['user'];
  currentUser?: AppState['currentUser'];
  private childLog: Logger | undefined;

  constructor(
    readonly requestId: string,
    private readonly logger: Logger,
  ) {}

  get log(): Logger {
    this.childLog ??= this.logger.child({ requestId: this.requestId });
    return this.childLog;
  }
}

function logRequest(ctx: AppContext, started: bigint): void {
  if (!ctx.services.logger.isLevelEnabled('info')) {
    return;
  }
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  ctx.state.log.info(
    {
      method: ctx.method,
      path: ctx.path,
      status: ctx.status,
      durationMs: Math.round(durationMs * 10) / 10,
      userId: ctx.state.currentUser?.id,
      ip: ctx.ip,
    },
    'request',
  );
}
