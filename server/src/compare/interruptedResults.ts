// Comparison results left `streaming` by a server that stopped mid-answer, found the way chat
// finds its interrupted answers: a running slot touches its row now and then.
import type { Logger } from 'pino';
import { Op } from 'sequelize';
import { ANSWER_HEARTBEAT_MS, INTERRUPTED_AFTER_MS } from '../chat/interruptedAnswers.js';
import type { AppServices } from '../context.js';
import { ComparisonResult } from '../models/index.js';
import { compareRuntime } from './runtime.js';

/** Refreshes the result's `updated_at` every ANSWER_HEARTBEAT_MS until `stop` is called. */
export function keepResultAlive(resultId: number, logger: Logger): { stop(): void } {
  const timer = setInterval(() => {
    ComparisonResult.update(
      { status: 'streaming' },
      { where: { id: resultId, status: 'streaming' } },
    ).catch((error: unknown) => {
      logger.warn({ err: error, resultId }, 'failed to refresh a streaming comparison result');
    });
  }, ANSWER_HEARTBEAT_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * Marks as stopped the results of a comparison still `streaming` that no server has refreshed
 * for INTERRUPTED_AFTER_MS, when the comparison does not run in this process, as after a crash
 * or a restart. Returns how many were marked.
 */
export async function stopInterruptedResults(
  services: AppServices,
  comparisonId: number,
): Promise<number> {
  if (compareRuntime(services).find(comparisonId) !== undefined) {
    return 0;
  }
  const [marked] = await ComparisonResult.update(
    { status: 'stopped', finishReason: 'aborted' },
    {
      where: {
        comparisonId,
        status: 'streaming',
        updatedAt: { [Op.lt]: new Date(Date.now() - INTERRUPTED_AFTER_MS) },
      },
    },
  );
  if (marked > 0) {
    services.logger.info({ comparisonId, marked }, 'marked interrupted comparison results stopped');
  }
  return marked;
}
