import { fork } from 'node:child_process';
import path from 'node:path';

/** One load run: the request every connection repeats, and the warm-up and measured seconds. */
export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

/** Figures from the measured window of a load run. Latencies are of 2xx responses only. */
export interface LoadResult {
  /** 2xx responses per second inside the window. */
  requestsPerSecond: number;
  succeeded: number;
  /** Non-2xx responses inside the window. */
  failed: number;
  /** Socket errors and timeouts over the whole run, warm-up included. */
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** CPU seconds the load worker used, start-up included. */
  workerCpuSeconds: number;
}

/** The message the load worker sends back. */
export type LoadReply = { ok: true; result: LoadResult } | { ok: false; message: string };

const WORKER = path.join(__dirname, 'loadWorker.ts');
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Runs a load job with autocannon in a child process, so that the load generator does not share
 * the event loop of the server under test. Only loopback URLs are accepted.
 */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  const host = new URL(job.url).hostname;
  if (!LOOPBACK_HOSTS.has(host)) {
    return Promise.reject(
      new Error(`Load is sent only to loopback servers; ${job.url} is not on loopback.`),
    );
  }
  return new Promise((resolve, reject) => {
    // The child's stdout goes to our stderr, so stdout keeps only the benchmark report.
    const child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 2, 2, 'ipc'],
    });
    let reply: LoadReply | undefined;
    child.once('message', (message: LoadReply) => {
      reply = message;
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (reply === undefined) {
        const reason = signal === null ? `code ${code}` : `signal ${signal}`;
        reject(new Error(`The load worker exited with ${reason} before it sent a result.`));
      } else if (reply.ok) {
        resolve(reply.result);
      } else {
        reject(new Error(`The load worker failed: ${reply.message}`));
      }
    });
    child.send(job);
  });
}
