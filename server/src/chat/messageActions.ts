import { Op, type Transaction } from 'sequelize';
import type { AppServices } from '../context.js';
import { runTransaction } from '../db/transactions.js';
import { conflict, HttpError } from '../errors.js';
import { ChatMessage, type ChatSession } from '../models/index.js';
import { chatRuntime } from './runtime.js';

/** Loads a message of the session; throws 404 when the session has no such message. */
export async function assertMessageInSession(
  session: ChatSession,
  messageId: number,
  transaction?: Transaction,
): Promise<ChatMessage> {
  const message = await ChatMessage.findOne({
    where: { id: messageId, sessionId: session.id },
    ...(transaction === undefined ? {} : { transaction }),
  });
  if (message === null) {
    throw new HttpError(
      404,
      'not_found',
      `Message ${messageId} was not found in chat session ${session.id}.`,
    );
  }
  return message;
}

/**
 * Stops an answer: aborts its provider request, waits until the partial answer is stored, and
 * returns it. An answer that already ended is returned unchanged. An answer left `streaming`
 * with no request running, as after a server restart, is marked stopped.
 */
export async function stopAnswer(
  services: AppServices,
  session: ChatSession,
  messageId: number,
): Promise<ChatMessage> {
  const message = await assertMessageInSession(session, messageId);
  if (message.role !== 'assistant') {
    throw conflict(
      'not_an_answer',
      `Message ${messageId} is a user message; only an answer (role assistant) can be stopped.`,
    );
  }
  const running = chatRuntime(services).find(messageId);
  if (running !== undefined) {
    running.abort('stopped');
    await running.finished;
    await message.reload();
  } else if (message.status === 'streaming') {
    await message.update({ status: 'stopped', finishReason: 'aborted' });
  }
  return message;
}

/**
 * Deletes a message and returns the ids deleted, oldest first. An answer still streaming is
 * stopped first. A user message goes with the answers that follow it up to the next user
 * message, so that no answer is left without its question; while one of those answers is
 * being generated, deleting the user message is rejected with 409.
 */
export async function deleteMessage(
  services: AppServices,
  session: ChatSession,
  messageId: number,
): Promise<number[]> {
  const message = await assertMessageInSession(session, messageId);
  const runtime = chatRuntime(services);
  if (message.role === 'assistant') {
    const running = runtime.find(messageId);
    if (running !== undefined) {
      running.abort('stopped');
      await running.finished;
    }
    await message.destroy();
    return [message.id];
  }

  const { answerIds, isLastQuestion } = await findAnswers(message);
  const running = runtime.findBySession(session.id);
  // An answer whose row is not stored yet answers the session's last user message, or a new one.
  const answersThis =
    running !== undefined &&
    (running.messageId === null ? isLastQuestion : answerIds.includes(running.messageId));
  if (running !== undefined && answersThis) {
    throw conflict(
      'answer_in_progress',
      `Message ${messageId} is still being answered; stop the answer with ` +
        `POST /api/chat/sessions/${session.id}/messages/${running.messageId ?? '<id>'}/stop ` +
        'or wait for it to end, then delete the message.',
      { messageId: running.messageId },
    );
  }
  const deletedIds = [message.id, ...answerIds];
  await runTransaction(services.sequelize, async (transaction) => {
    await ChatMessage.destroy({ where: { id: deletedIds, sessionId: session.id }, transaction });
  });
  return deletedIds;
}

/**
 * Returns the ids of the answers after a user message, up to the next user message, and whether
 * it is the session's last user message.
 */
async function findAnswers(
  question: ChatMessage,
): Promise<{ answerIds: number[]; isLastQuestion: boolean }> {
  const nextQuestion = await ChatMessage.findOne({
    attributes: ['id'],
    where: { sessionId: question.sessionId, role: 'user', id: { [Op.gt]: question.id } },
    order: [['id', 'ASC']],
  });
  const answers = await ChatMessage.findAll({
    attributes: ['id'],
    where: {
      sessionId: question.sessionId,
      role: 'assistant',
      id:
        nextQuestion === null
          ? { [Op.gt]: question.id }
          : { [Op.gt]: question.id, [Op.lt]: nextQuestion.id },
    },
    order: [['id', 'ASC']],
  });
  return { answerIds: answers.map((answer) => answer.id), isLastQuestion: nextQuestion === null };
}
