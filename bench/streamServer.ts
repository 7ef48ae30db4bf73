// Child process started by bench/stream.ts. It runs the real server on loopback with the settings
// it receives over IPC and reports its memory and CPU time on request. The server has a process
// of its own so that its figures do not include the clients and the fake provider in the parent.
import pino from 'pino';
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { startServer, type RunningServer } from '../server/src/server.js';

/** A message from the parent. */
export type ServerCommand =
  | { type: 'start'; env: Record<string, string> }
  /** Reports a ServerSample, after a full garbage collection when `collectGarbage` is set. */
  | { type: 'sample'; collectGarbage: boolean }
  | { type: 'stop' };

/** The server process's memory in bytes and its CPU time in seconds since it started. */
export interface ServerSample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** The RSS high-water mark over the process's life. */
  maxRss: number;
  cpuSeconds: number;
}

/** A message to the parent. */
export type ServerReply =
  | { type: 'ready'; url: string }
  | { type: 'sample'; sample: ServerSample }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

let running: RunningServer | undefined;

async function start(env: Record<string, string>): Promise<void> {
  // Only the variables the parent sent, not process.env, so a DATABASE_URL or HOST set in the
  // shell cannot point the benchmark at another database or address.
  const config = loadConfig(env);
  // Warnings go to stderr, which the parent passes on, so its stdout carries only the report.
  const logger = createLogger(config.logLevel, pino.destination({ fd: 2, sync: false }));
  running = await startServer(config, logger);
  reply({ type: 'ready', url: running.url });
}

function sample(collectGarbage: boolean): ServerSample {
  if (collectGarbage) {
    // The parent starts this process with --expose-gc.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined) {
      throw new Error('The stream bench server must run with --expose-gc to collect garbage.');
    }
    gc();
  }
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    // resourceUsage reports maxRSS in kilobytes.
    maxRss: process.resourceUsage().maxRSS * 1024,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

async function stop(): Promise<void> {
  await running?.close();
  running = undefined;
  // Exit once the reply is flushed, so that a --cpu-prof profile is written at exit.
  process.send?.({ type: 'stopped' } satisfies ServerReply, () => process.exit(0));
}

function reply(message: ServerReply): void {
  process.send?.(message);
}

function fail(error: unknown): void {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.send?.({ type: 'failed', message } satisfies ServerReply, () => process.exit(1));
}

process.on('message', (command: ServerCommand) => {
  switch (command.type) {
    case 'start':
      start(command.env).catch(fail);
      break;
    case 'sample':
      try {
        reply({ type: 'sample', sample: sample(command.collectGarbage) });
      } catch (error) {
        fail(error);
      }
      break;
    case 'stop':
      stop().catch(fail);
      break;
  }
});

// The parent closing the IPC channel, as when it fails, ends the server too.
process.on('disconnect', () => {
  const closing = running?.close() ?? Promise.resolve();
  void closing.finally(() => process.exit(0));
});
