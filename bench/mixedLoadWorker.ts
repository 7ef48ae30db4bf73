// Child process of the `load` benchmark: receives one MixedLoadJob over IPC, runs every user's
// request loop for the job's duration and sends back a MixedLoadReply.
import http from 'node:http';
import type { MixedLoadJob, MixedLoadReply, MixedLoadResult } from './mixedLoad.js';
import { percentile } from './window.js';

/** One failed request, kept as a sample for the report. */
interface Failure {
  what: string;
  detail: string;
}

class Recorder {
  readonly plainLatencies: number[] = [];
  readonly chatLatencies: number[] = [];
  readonly counts: Record<string, number> = {};
  readonly failures: Failure[] = [];
  failureCount = 0;

  count(what: string): void {
    this.counts[what] = (this.counts[what] ?? 0) + 1;
  }

  fail(what: string, detail: string): void {
    this.failureCount += 1;
    if (this.failures.length < 10) {
      this.failures.push({ what, detail });
    }
  }
}

/** Sends a request, reads the whole body and returns the status, body and latency. */
function send(
  agent: http.Agent,
  url: string,
  request: { method: 'GET' | 'POST' | 'DELETE'; token: string; body?: unknown },
): Promise<{ status: number; text: string; latencyMs: number }> {
  const { method, token, body } = request;
  const startedAt = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(url, {
      agent,
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(payload === undefined
          ? {}
          : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
      },
    });
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
          latencyMs: performance.now() - startedAt,
        }),
      );
    });
    outgoing.end(payload);
  });
}

/** Runs one user's loop of reads, writes and chat streams until `endsAt`. */
async function runUser(
  run: { job: MixedLoadJob; agent: http.Agent; recorder: Recorder; endsAt: number },
  user: MixedLoadJob['users'][number],
  userIndex: number,
): Promise<void> {
  const { job, agent, recorder, endsAt } = run;
  let step = userIndex;
  const plain = async (
    what: string,
    path: string,
    request: { method: 'GET' | 'POST' | 'DELETE'; expected: number; body?: unknown },
  ) => {
    const { method, expected, body } = request;
    const reply = await send(agent, `${job.url}${path}`, { method, token: user.token, body });
    recorder.count(what);
    if (reply.status !== expected) {
      recorder.fail(
        what,
        `${method} ${path} returned ${reply.status}: ${reply.text.slice(0, 200)}`,
      );
      return undefined;
    }
    recorder.plainLatencies.push(reply.latencyMs);
    return reply.text;
  };

  // Users start at random points of one think time, as users who arrived at different moments
  // would. Starting all at once would send every user's first request in the same instant.
  await new Promise((resolve) => setTimeout(resolve, job.thinkMs * Math.random()));
  while (performance.now() < endsAt) {
    step += 1;
    // Of every 20 steps: 14 reads, 4 write pairs (create, then delete) and 2 chat streams.
    const slot = step % 20;
    try {
      if (slot < 14) {
        const paths = ['/api/auth/me', '/api/providers', '/api/chat/sessions'] as const;
        const path = paths[slot % 3]!;
        await plain(`GET ${path}`, path, { method: 'GET', expected: 200 });
      } else if (slot < 16) {
        const created = await plain('POST /api/prompts', '/api/prompts', {
          method: 'POST',
          expected: 201,
          body: {
            name: `load ${userIndex} ${step}`,
            content: 'Answer in one sentence: {{question}}',
            format: 'custom',
          },
        });
        if (created !== undefined) {
          const id = (JSON.parse(created) as { prompt: { id: number } }).prompt.id;
          await plain('DELETE /api/prompts/:id', `/api/prompts/${id}`, {
            method: 'DELETE',
            expected: 204,
          });
        }
      } else if (slot < 18) {
        const created = await plain('POST /api/chat/sessions', '/api/chat/sessions', {
          method: 'POST',
          expected: 201,
          body: { modelConfigId: user.modelConfigId },
        });
        if (created !== undefined) {
          const id = (JSON.parse(created) as { session: { id: number } }).session.id;
          await plain('DELETE /api/chat/sessions/:id', `/api/chat/sessions/${id}`, {
            method: 'DELETE',
            expected: 204,
          });
        }
      } else {
        const path = `/api/chat/sessions/${user.chatSessionId}/messages`;
        const reply = await send(agent, `${job.url}${path}`, {
          method: 'POST',
          token: user.token,
          body: { content: `Question ${step}?`, stream: true },
        });
        recorder.count('chat stream');
        if (reply.status !== 200 || !reply.text.includes('event: done')) {
          recorder.fail('chat stream', `returned ${reply.status}: ${reply.text.slice(-200)}`);
        } else {
          recorder.chatLatencies.push(reply.latencyMs);
        }
      }
    } catch (error) {
      recorder.fail('request', error instanceof Error ? error.message : String(error));
    }
    // Think time: uniform between 0.5 and 1.5 times the job's mean.
    await new Promise((resolve) => setTimeout(resolve, job.thinkMs * (0.5 + Math.random())));
  }
}

async function measure(job: MixedLoadJob): Promise<MixedLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const recorder = new Recorder();
  const startedAt = performance.now();
  const endsAt = startedAt + job.seconds * 1000;
  await Promise.all(
    job.users.map((user, index) => runUser({ job, agent, recorder, endsAt }, user, index)),
  );
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  agent.destroy();

  const plain = [...recorder.plainLatencies].sort((a, b) => a - b);
  const chat = [...recorder.chatLatencies].sort((a, b) => a - b);
  const cpu = process.cpuUsage();
  const total = Object.values(recorder.counts).reduce((sum, count) => sum + count, 0);
  return {
    requests: total,
    requestsPerSecond: total / elapsedSeconds,
    counts: recorder.counts,
    failed: recorder.failureCount,
    failureSamples: recorder.failures.map((failure) => `${failure.what}: ${failure.detail}`),
    plainLatencyMs: {
      p50: percentile(plain, 50),
      p99: percentile(plain, 99),
      max: plain.at(-1) ?? Number.NaN,
    },
    chatLatencyMs: {
      p50: percentile(chat, 50),
      p99: percentile(chat, 99),
      max: chat.at(-1) ?? Number.NaN,
    },
    workerCpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

process.once('message', (job: MixedLoadJob) => {
  measure(job).then(
    (result) =>
      process.send?.({ ok: true, result } satisfies MixedLoadReply, () => process.exit(0)),
    (error: unknown) =>
      process.send?.(
        {
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        } satisfies MixedLoadReply,
        () => process.exit(0),
      ),
  );
});
