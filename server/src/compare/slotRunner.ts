import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { ChatMessageError } from '../../../shared/src/api/chat.js';
import { chatRuntime } from '../chat/runtime.js';
import type { UsableConfig } from '../chat/sessions.js';
import type { AppServices } from '../context.js';
import type { ComparisonResult } from '../models/index.js';
import {
  createProviderClient,
  type CompletionRequest,
  type StreamEvent,
} from '../providers/clients/index.js';
import { providerConnection } from '../providers/connection.js';
import { meteredStream } from '../usage/meter.js';
import type { CompareStream } from './compareStream.js';
import { keepResultAlive } from './interruptedResults.js';
import { SlotDraft, type SlotOutcome } from './metrics.js';
import { presentComparisonResult } from './presenter.js';
import type { RunningComparison } from './runtime.js';

/** One slot of a comparison to answer and store. */
export interface SlotRun {
  services: AppServices;
  logger: Logger;
  userId: number;
  slot: number;
  usable: UsableConfig;
  /** The request without its signal; the slot's abort controller supplies it. */
  request: Omit<CompletionRequest, 'signal'>;
  /** The stored result, status `streaming`, that receives the answer. */
  result: ComparisonResult;
  running: RunningComparison;
  /** The event stream of the reply, or unset for a JSON response. */
  stream?: CompareStream;
}

/**
 * Streams one slot's answer from its provider through the usage meter (purpose `compare`),
 * passing reasoning, content and usage on to the event stream as they arrive. The chat's limits
 * apply: a slow reader slows the provider stream, a client that reads nothing for
 * CHAT_WRITE_TIMEOUT_MS is cut off and every slot stopped, and an answer that reaches
 * CHAT_MAX_ANSWER_CHARS is cut there and ends with finish reason `length`.
 *
 * When the provider stream ends, stores the outcome with its metrics and sends the slot's `done`
 * or `error`. Never throws, so one slot's failure leaves the other slots running.
 */
export async function runSlot(run: SlotRun): Promise<ComparisonResult> {
  const { config, provider } = run.usable;
  const runtime = chatRuntime(run.services);
  const draft = new SlotDraft(performance.now(), runtime.maxAnswerChars);
  const heartbeat = keepResultAlive(run.result.id, run.logger);
  try {
    const client = createProviderClient(
      providerConnection(run.services, provider),
      runtime.clientTimeouts,
    );
    const signal = run.running.controllers[run.slot]!.signal;
    const events = meteredStream(
      client,
      { ...run.request, signal },
      { userId: run.userId, modelConfig: config, purpose: 'compare', logger: run.logger },
    );
    for await (const event of events) {
      const fitted = draft.fit(event);
      draft.observe(fitted, performance.now());
      if (!(await forward(run, fitted, runtime.writeTimeoutMs))) {
        break;
      }
      if (draft.limitReached) {
        run.running.abort('limit', run.slot);
        break;
      }
    }
  } catch (error) {
    run.logger.error({ err: error, resultId: run.result.id }, 'comparison slot failed');
    draft.failure ??= {
      code: 'internal',
      message: 'The server failed while relaying the answer; the server log has the details.',
    };
  } finally {
    heartbeat.stop();
  }
  draft.endedAt = performance.now();

  const outcome = draft.outcome(run.running.abortCause(run.slot), config);
  try {
    await run.result.update(outcome);
  } catch (error) {
    run.logger.error(
      { err: error, resultId: run.result.id },
      'failed to store a comparison result',
    );
    const failure = {
      code: 'internal',
      message: 'The server could not store this answer; the server log has the details.',
    };
    run.result.set({ status: 'error', finishReason: 'error', error: failure });
    sendFailure(run, failure);
    return run.result;
  }
  finish(run, outcome);
  return run.result;
}

/**
 * Passes a provider event on to the client, tagged with the slot. When the client has not read
 * the earlier events yet, waits up to `writeTimeoutMs` for it. Returns false when the client read
 * nothing in that time: the connection is then closed and every slot stopped.
 */
async function forward(run: SlotRun, event: StreamEvent, writeTimeoutMs: number): Promise<boolean> {
  const stream = run.stream;
  if (stream === undefined || !stream.open) {
    return true;
  }
  const tag = { slot: run.slot, resultId: run.result.id };
  let accepted = true;
  switch (event.type) {
    case 'reasoning':
    case 'content':
      if (event.text !== '') {
        accepted = stream.send(event.type, { ...tag, text: event.text });
      }
      break;
    case 'usage':
      accepted = stream.send('usage', { ...tag, usage: event.usage });
      break;
    case 'reasoning-block':
    case 'finish':
    case 'error':
      break;
  }
  if (accepted || (await stream.drained(writeTimeoutMs)) || !stream.open) {
    // A client that closed the connection is handled by the disconnect listener.
    return true;
  }
  run.logger.warn(
    { resultId: run.result.id, writeTimeoutMs },
    'compare client read nothing within the write timeout; stopping every slot',
  );
  run.running.abort('disconnected');
  stream.abandon();
  return false;
}

function finish(run: SlotRun, outcome: SlotOutcome): void {
  if (outcome.status === 'error') {
    sendFailure(run, outcome.error!);
    return;
  }
  const stream = run.stream;
  if (stream === undefined || !stream.open) {
    return;
  }
  stream.send('done', {
    slot: run.slot,
    resultId: run.result.id,
    status: outcome.status === 'stopped' ? 'stopped' : 'complete',
    result: presentComparisonResult(run.result),
  });
}

function sendFailure(run: SlotRun, error: ChatMessageError): void {
  const stream = run.stream;
  if (stream === undefined || !stream.open) {
    return;
  }
  stream.send('error', {
    slot: run.slot,
    resultId: run.result.id,
    error,
    result: presentComparisonResult(run.result),
  });
}
