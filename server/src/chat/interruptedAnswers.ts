// Answers left `streaming` by a server that stopped mid-answer: a running answer touches its row
// now and then, so a row that stays untouched is known to belong to no running server.
import type { Logger } from 'pino';
import { Op } from 'sequelize';
import type { AppServices } from '../context.js';
import { ChatMessage } from '../models/index.js';
import { chatRuntime } from './runtime.js';

/** How often a running answer refreshes the `updated_at` of its message, in milliseconds. */
export const ANSWER_HEARTBEAT_MS = 30_000;

/**
 * How long a `streaming` message may go without a refresh before it counts as interrupted. Three
 * missed refreshes leave room for a busy database.
 */
export const INTERRUPTED_AFTER_MS = 3 * ANSWER_HEARTBEAT_MS;

/** Refreshes the message's `updated_at` every ANSWER_HEARTBEAT_MS until `stop` is called. */
export function keepAnswerAlive(messageId: number, logger: Logger): { stop(): void } {
  const timer = setInterval(() => {
    ChatMessage.update(
      { status: 'streaming' },
      { where: { id: messageId, status: 'streaming' } },
    ).catch((error: unknown) => {
      logger.warn({ err: error, messageId }, 'failed to refresh a streaming answer');
    });
  }, ANSWER_HEARTBEAT_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/**
 * Marks as stopped the answers still `streaming` that no server has refreshed for
 * INTERRUPTED_AFTER_MS and that do not run in this process, as after a crash or a restart. Their
 * partial text is whatever was stored, usually none. Limited to one session when `sessionId` is
 * given. Returns how many were marked.
 */
export async function stopInterruptedAnswers(
  services: AppServices,
  sessionId?: number,
): Promise<number> {
  const stale = await ChatMessage.findAll({
    attributes: ['id'],
    where: {
      status: 'streaming',
      updatedAt: { [Op.lt]: new Date(Date.now() - INTERRUPTED_AFTER_MS) },
      ...(sessionId === undefined ? {} : { sessionId }),
    },
  });
  const runtime = chatRuntime(services);
  const interrupted = stale
    .map((message) => message.id)
    .filter((id) => runtime.find(id) === undefined);
  if (interrupted.length === 0) {
    return 0;
  }
  const [marked] = await ChatMessage.update(
    { status: 'stopped', finishReason: 'aborted' },
    { where: { id: interrupted, status: 'streaming' } },
  );
  services.logger.info({ messageIds: interrupted }, 'marked interrupted chat answers stopped');
  return marked;
}
