// Child process started by runLoad in load.ts: receives one LoadJob over IPC, runs it with
// autocannon and sends back a LoadReply.
import autocannon from 'autocannon';
import type { LoadJob, LoadReply, LoadResult } from './load.js';
import { MeasurementWindow, percentile } from './window.js';

/** autocannon runs this long past the window, so its last connections never cut the window short. */
const MARGIN_SECONDS = 1;
/** Logins queue behind bcrypt work, so a slow reply is not yet a timeout. */
const REQUEST_TIMEOUT_SECONDS = 30;

async function measure(job: LoadJob): Promise<LoadResult> {
  const window = new MeasurementWindow(job.warmupSeconds, job.durationSeconds);
  const latencies: number[] = [];
  let failed = 0;
  const instance = autocannon({
    url: job.url,
    method: job.method,
    connections: job.connections,
    duration: job.warmupSeconds + job.durationSeconds + MARGIN_SECONDS,
    timeout: REQUEST_TIMEOUT_SECONDS,
    ...(job.headers === undefined ? {} : { headers: job.headers }),
    ...(job.body === undefined ? {} : { body: job.body }),
  });
  instance.on('response', (_client, statusCode, _bytes, latencyMs) => {
    if (!window.contains(performance.now())) {
      return;
    }
    if (statusCode >= 200 && statusCode < 300) {
      latencies.push(latencyMs);
    } else {
      failed += 1;
    }
  });
  const totals = await instance;

  latencies.sort((a, b) => a - b);
  const cpu = process.cpuUsage();
  return {
    requestsPerSecond: latencies.length / window.durationSeconds,
    succeeded: latencies.length,
    failed,
    errors: totals.errors,
    timeouts: totals.timeouts,
    latencyMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
    },
    workerCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

function reply(message: LoadReply): void {
  // Exit as soon as the reply is flushed rather than wait for every handle to close.
  process.send?.(message, () => process.exit(0));
}

process.once('message', (job: LoadJob) => {
  measure(job).then(
    (result) => reply({ ok: true, result }),
    (error: unknown) =>
      reply({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
