// Child process of the `load` benchmark: runs the real server from its environment, sends
// `{ url }` over IPC once it listens, and replies to each `measure` message with its memory after a
// full garbage collection and the CPU time it used so far. Needs --expose-gc.
import { loadConfig } from '../server/src/config.js';
import { createLogger } from '../server/src/logger.js';
import { startServer } from '../server/src/server.js';

/** The server's figures after a full garbage collection. */
export interface ServerMeasure {
  rssBytes: number;
  heapUsedBytes: number;
  cpuSeconds: number;
}

export type ServerMessage =
  { type: 'ready'; url: string } | { type: 'measure'; measure: ServerMeasure };

async function main(): Promise<void> {
  const gc = globalThis.gc;
  if (gc === undefined) {
    throw new Error('The load benchmark server needs node --expose-gc.');
  }
  // tsx turns source maps on, which `npm start` runs without (see run.ts).
  process.setSourceMapsEnabled(false);
  const config = loadConfig(process.env);
  const running = await startServer(config, createLogger(config.logLevel));
  process.on('message', (message: string) => {
    if (message === 'measure') {
      gc();
      const memory = process.memoryUsage();
      const cpu = process.cpuUsage();
      const reply: ServerMessage = {
        type: 'measure',
        measure: {
          rssBytes: memory.rss,
          heapUsedBytes: memory.heapUsed,
          cpuSeconds: (cpu.user + cpu.system) / 1e6,
        },
      };
      process.send?.(reply);
    } else if (message === 'stop') {
      void running.close().then(() => process.exit(0));
    }
  });
  const ready: ServerMessage = { type: 'ready', url: running.url };
  process.send?.(ready);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
